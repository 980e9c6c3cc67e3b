/**
 * Writes the normalised stream from a bus as a recording (recording-format.ts): each instrument
 * line before the first tick of that instrument, then one line per trade or quote in bus order,
 * prices and sizes as exact decimal strings. `replay` plays the result back.
 */
import type { Instrument } from '../../lib/market/types';
import type { Bus, Tick, Unsubscribe } from '../bus/types';
import { instrumentLine, tickLine } from './recording-format';

/** Records a bus to lines handed to `write` (each without its newline). */
export class NdjsonRecorder {
  private readonly instruments = new Map<number, Instrument>();
  private readonly written = new Set<number>();
  private readonly unsubscribes: Unsubscribe[];
  private tickCount = 0;

  /**
   * @param write - receives each line.
   * @param maxTicks - ticks after this many are not written; `onLimit` is called once when reached.
   */
  constructor(
    bus: Bus,
    private readonly write: (line: string) => void,
    private readonly maxTicks = Number.POSITIVE_INFINITY,
    private readonly onLimit: () => void = () => {},
  ) {
    this.learn(bus.instruments());
    this.unsubscribes = [bus.onInstruments((list) => this.learn(list)), bus.onTicks((ticks) => this.record(ticks))];
  }

  /** Trades and quotes written so far. */
  get ticks(): number {
    return this.tickCount;
  }

  /** Stops listening to the bus. */
  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  private learn(list: readonly Instrument[]): void {
    for (const instrument of list) this.instruments.set(instrument.id, instrument);
  }

  private record(ticks: readonly Tick[]): void {
    for (const tick of ticks) {
      if (this.tickCount >= this.maxTicks) return;
      const instrument = this.instruments.get(tick.instrumentId);
      if (instrument === undefined) continue; // cannot happen: the normaliser declares before it sequences
      if (!this.written.has(instrument.id)) {
        this.written.add(instrument.id);
        this.write(instrumentLine(instrument));
      }
      this.write(tickLine(tick, instrument));
      this.tickCount += 1;
      if (this.tickCount === this.maxTicks) this.onLimit();
    }
  }
}
