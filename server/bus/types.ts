/**
 * The bus carries normalised updates from the normaliser to gateways. The in-process bus is the
 * default; a NATS bus can replace it without the gateway changing (docs/architecture.md).
 */
import type { Instrument, Quote, Trade } from '../../lib/market/types';
import type { VenueStatus } from '../../lib/protocol/messages';

/** A tick as the normaliser publishes it: already validated and sequenced. */
export type Tick = Trade | Quote;

/** Removes a handler. */
export type Unsubscribe = () => void;

export interface Bus {
  /** Epoch of the sequence numbers on this bus (changes when the normaliser restarts). */
  readonly epoch: number;
  /** Publishes a batch of ticks (in sequence order per instrument). */
  publishTicks(ticks: readonly Tick[]): void;
  /** Publishes the full current instrument table. */
  publishInstruments(instruments: readonly Instrument[]): void;
  /** Publishes the adapters' status. */
  publishStatus(status: readonly VenueStatus[]): void;
  onTicks(handler: (ticks: readonly Tick[]) => void): Unsubscribe;
  onInstruments(handler: (instruments: readonly Instrument[]) => void): Unsubscribe;
  onStatus(handler: (status: readonly VenueStatus[]) => void): Unsubscribe;
  /** Latest instrument table published (empty before the first). */
  instruments(): readonly Instrument[];
  /** Latest status published. */
  status(): readonly VenueStatus[];
  close(): Promise<void>;
}
