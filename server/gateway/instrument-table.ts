/**
 * The gateway's copy of the instrument table: what `instruments` messages carry, and the names a
 * request may use (full `VENUE:SYMBOL`, or a bare symbol only one venue lists; docs/protocol.md §2.9).
 */
import { SymbolIndex } from '../../lib/market/symbols';
import type { Instrument } from '../../lib/market/types';
import type { InstrumentsMessage } from '../../lib/protocol/messages';

export class InstrumentTable {
  /** Instrument by name, for requests. */
  readonly symbols = new SymbolIndex<Instrument>();
  private current: readonly Instrument[] = [];
  private readonly byId = new Map<number, Instrument>();

  constructor(instruments: readonly Instrument[]) {
    this.replace(instruments);
  }

  /** Ids of every listed instrument, in table order. */
  ids(): IterableIterator<number> {
    return this.byId.keys();
  }

  /** Replaces the table; returns the instruments it listed before and lists no more. */
  replace(instruments: readonly Instrument[]): Instrument[] {
    const previous = this.current;
    this.current = [...instruments];
    this.symbols.clear();
    this.byId.clear();
    for (const instrument of instruments) {
      this.symbols.add(instrument);
      this.byId.set(instrument.id, instrument);
    }
    return previous.filter((p) => !this.byId.has(p.id));
  }

  /** The `instruments` message: every listed instrument, then `removed` flagged as removed. */
  message(removed: readonly Instrument[] = []): InstrumentsMessage {
    return {
      type: 'instruments',
      instruments: [...this.current.map((i) => ({ ...i, removed: false })), ...removed.map((i) => ({ ...i, removed: true }))],
    };
  }
}
