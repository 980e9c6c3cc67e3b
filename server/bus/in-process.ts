/**
 * The default bus: normaliser and gateways in one process. Handlers run synchronously, in
 * subscription order; a handler that throws is caught (and logged when a logger is given) so it
 * never stops the others or the publisher.
 */
import type { Instrument } from '../../lib/market/types';
import type { VenueStatus } from '../../lib/protocol/messages';
import type { Logger } from '../log';
import { Channel } from './channel';
import type { Bus, Tick, Unsubscribe } from './types';

/** Options of {@link InProcessBus}. */
export interface InProcessBusOptions {
  /**
   * Epoch of the sequence numbers published on this bus: a positive safe integer, different for
   * every normaliser lifetime. @defaultValue `Date.now()` at construction (ms)
   */
  readonly epoch?: number;
  /** Where handler failures are reported. @defaultValue none (failures are swallowed) */
  readonly logger?: Logger;
}

/** An in-memory {@link Bus}. After `close()`, publishing does nothing and handlers are released. */
export class InProcessBus implements Bus {
  readonly epoch: number;
  private readonly ticks: Channel<readonly Tick[]>;
  private readonly instrumentsChannel: Channel<readonly Instrument[]>;
  private readonly statusChannel: Channel<readonly VenueStatus[]>;
  private latestInstruments: readonly Instrument[] = Object.freeze([]);
  private latestStatus: readonly VenueStatus[] = Object.freeze([]);
  private closed = false;

  /** @throws TypeError when `epoch` is not a positive safe integer. */
  constructor(options: InProcessBusOptions = {}) {
    const epoch = options.epoch ?? Date.now();
    if (!Number.isSafeInteger(epoch) || epoch <= 0) {
      throw new TypeError(`epoch must be a positive safe integer, got ${String(epoch)}`);
    }
    this.epoch = epoch;
    this.ticks = new Channel('ticks', options.logger);
    this.instrumentsChannel = new Channel('instruments', options.logger);
    this.statusChannel = new Channel('status', options.logger);
  }

  publishTicks(ticks: readonly Tick[]): void {
    if (this.closed || ticks.length === 0) return;
    this.ticks.emit(ticks);
  }

  publishInstruments(instruments: readonly Instrument[]): void {
    if (this.closed) return;
    this.latestInstruments = Object.freeze([...instruments]);
    this.instrumentsChannel.emit(this.latestInstruments);
  }

  publishStatus(status: readonly VenueStatus[]): void {
    if (this.closed) return;
    this.latestStatus = Object.freeze([...status]);
    this.statusChannel.emit(this.latestStatus);
  }

  onTicks(handler: (ticks: readonly Tick[]) => void): Unsubscribe {
    return this.ticks.add(handler);
  }

  onInstruments(handler: (instruments: readonly Instrument[]) => void): Unsubscribe {
    return this.instrumentsChannel.add(handler);
  }

  onStatus(handler: (status: readonly VenueStatus[]) => void): Unsubscribe {
    return this.statusChannel.add(handler);
  }

  instruments(): readonly Instrument[] {
    return this.latestInstruments;
  }

  status(): readonly VenueStatus[] {
    return this.latestStatus;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ticks.clear();
    this.instrumentsChannel.clear();
    this.statusChannel.clear();
  }
}
