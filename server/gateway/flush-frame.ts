/**
 * One flush's worth of updates, encoded once and shared: each instrument's ticks become one binary
 * segment, each changed bar one segment per interval, and every connection's batch is a header plus
 * the segments it subscribes to: an instrument's ticks once however many of its pairs it holds, then
 * the bars of each interval held for it, ascending. Connections with the same subscription key (which
 * names every pair held) get the very same bytes.
 */
import type { Bar, BarInterval, MarketUpdate } from '../../lib/market/types';
import { assembleBatch, encodeJsonMessage, encodeUpdateSegment } from '../../lib/protocol';
import type { Tick } from '../bus/types';
import type { Connection } from './connection';

interface InstrumentFlush {
  readonly ticks: Tick[];
  /**
   * Bars that changed in this flush, by interval, in the order they changed: usually the forming
   * bar only; a late trade can also change an older bar that history still holds.
   */
  readonly bars: Map<BarInterval, Bar[]>;
  tickSegment: Uint8Array | undefined;
  readonly barSegments: Map<BarInterval, Uint8Array>;
}

export class FlushFrame {
  private readonly instruments = new Map<number, InstrumentFlush>();
  private readonly encodedByKey = new Map<string, Uint8Array | string | null>();
  /** Segments encoded (for stats and the encode-once test). */
  segmentsEncoded = 0;
  /** Distinct batches assembled. */
  batchesAssembled = 0;

  constructor(
    readonly baseTimeUs: number,
    ticks: readonly Tick[],
    changedBars: readonly Bar[],
  ) {
    for (const tick of ticks) this.entry(tick.instrumentId).ticks.push(tick);
    for (const bar of changedBars) {
      const byInterval = this.entry(bar.instrumentId).bars;
      const list = byInterval.get(bar.interval);
      if (list) list.push(bar);
      else byInterval.set(bar.interval, [bar]);
    }
  }

  /** Instrument ids with updates in this flush. */
  instrumentIds(): IterableIterator<number> {
    return this.instruments.keys();
  }

  get size(): number {
    return this.instruments.size;
  }

  /**
   * The batch for a connection, encoded for its protocol, or null when nothing in this flush is for it.
   * Cached by the connection's subscription key.
   */
  batchFor(connection: Connection): Uint8Array | string | null {
    const cached = this.encodedByKey.get(connection.key);
    if (cached !== undefined) return cached;
    const encoded = connection.codec.binary ? this.assembleBinary(connection) : this.assembleJson(connection);
    this.encodedByKey.set(connection.key, encoded);
    if (encoded !== null) this.batchesAssembled++;
    return encoded;
  }

  private idsFor(connection: Connection): number[] {
    const ids: number[] = [];
    if (connection.subscribesAll || connection.subscriptionCount() >= this.instruments.size) {
      for (const id of this.instruments.keys()) if (connection.wants(id)) ids.push(id);
    } else {
      for (const id of connection.subscribedIds()) if (this.instruments.has(id)) ids.push(id);
    }
    return ids;
  }

  private assembleBinary(connection: Connection): Uint8Array | null {
    const segments: Uint8Array[] = [];
    let count = 0;
    for (const id of this.idsFor(connection)) {
      const flush = this.instruments.get(id);
      if (!flush) continue;
      if (flush.ticks.length > 0) {
        flush.tickSegment ??= this.encode(flush.ticks);
        segments.push(flush.tickSegment);
        count += flush.ticks.length;
      }
      if (flush.bars.size === 0) continue;
      for (const interval of connection.barIntervalsFor(id) ?? []) {
        const bars = flush.bars.get(interval);
        if (!bars) continue;
        let segment = flush.barSegments.get(interval);
        if (!segment) {
          segment = this.encode(bars);
          flush.barSegments.set(interval, segment);
        }
        segments.push(segment);
        count += bars.length;
      }
    }
    return count === 0 ? null : assembleBatch(false, this.baseTimeUs, count, segments);
  }

  private assembleJson(connection: Connection): string | null {
    const updates: MarketUpdate[] = [];
    for (const id of this.idsFor(connection)) {
      const flush = this.instruments.get(id);
      if (!flush) continue;
      for (const tick of flush.ticks) updates.push(tick);
      if (flush.bars.size === 0) continue;
      for (const interval of connection.barIntervalsFor(id) ?? []) {
        const bars = flush.bars.get(interval);
        if (bars) updates.push(...bars);
      }
    }
    return updates.length === 0 ? null : encodeJsonMessage({ type: 'batch', conflated: false, updates });
  }

  private encode(updates: readonly MarketUpdate[]): Uint8Array {
    this.segmentsEncoded++;
    return encodeUpdateSegment(updates, this.baseTimeUs);
  }

  private entry(instrumentId: number): InstrumentFlush {
    let flush = this.instruments.get(instrumentId);
    if (!flush) {
      flush = { ticks: [], bars: new Map(), tickSegment: undefined, barSegments: new Map() };
      this.instruments.set(instrumentId, flush);
    }
    return flush;
  }
}
