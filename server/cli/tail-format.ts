/**
 * Readable NDJSON records for `npm run tail`: exact decimal strings for prices and sizes (from
 * the instrument's precision), sides as words, times as ISO-8601 with microseconds.
 */
import { formatDecimal } from '../../lib/market/decimal';
import { BAR_INTERVAL_LABELS, Side, type Instrument, type MarketUpdate } from '../../lib/market/types';
import { formatIsoMicros as isoMicros } from '../../lib/text/iso-time';

const SIDE_WORDS: Readonly<Record<Side, string>> = { [Side.Unknown]: 'unknown', [Side.Buy]: 'buy', [Side.Sell]: 'sell' };

/** Where an update came from, added to its record. */
export interface UpdateOrigin {
  /** Part of a subscribe snapshot (history), not live. */
  readonly snapshot?: boolean;
  /** Part of a conflated batch (the server dropped updates on purpose). */
  readonly conflated?: boolean;
  /** Part of a history page (`--history`), printed before going live. */
  readonly history?: boolean;
}

/**
 * One update as a plain object ready for `JSON.stringify`. Without the instrument (id not in the
 * table) prices fall back to raw mantissas and the symbol to "#id".
 */
export function updateRecord(update: MarketUpdate, instrument: Instrument | undefined, origin: UpdateOrigin = {}): Record<string, unknown> {
  const price = (m: number): string => (instrument ? formatDecimal(m, instrument.priceDecimals) : String(m));
  const size = (m: number): string => (instrument ? formatDecimal(m, instrument.sizeDecimals) : String(m));
  const base = { type: update.kind, symbol: instrument?.symbol ?? `#${update.instrumentId}`, seq: update.seq };
  let fields: Record<string, unknown>;
  switch (update.kind) {
    case 'trade':
      // '' is the wire's "the venue gave no id": left out, as the recording format does.
      fields = {
        price: price(update.price),
        size: size(update.size),
        side: SIDE_WORDS[update.side] ?? 'unknown',
        ...(update.tradeId === '' ? {} : { tradeId: update.tradeId }),
      };
      break;
    case 'quote':
      fields = { bid: price(update.bid), bidSize: size(update.bidSize), ask: price(update.ask), askSize: size(update.askSize) };
      break;
    case 'bar':
      fields = {
        interval: BAR_INTERVAL_LABELS[update.interval] ?? `${update.interval}s`,
        openTime: isoMicros(update.openTimeUs),
        open: price(update.open),
        high: price(update.high),
        low: price(update.low),
        close: price(update.close),
        volume: size(update.volume),
        vwap: price(update.vwap),
        tradeCount: update.tradeCount,
      };
      break;
    case 'session':
      fields = {
        sessionStart: isoMicros(update.startTimeUs),
        open: price(update.open),
        high: price(update.high),
        low: price(update.low),
        close: price(update.close),
        volume: size(update.volume),
        tradeCount: update.tradeCount,
      };
      break;
  }
  return {
    ...base,
    ...fields,
    eventTime: isoMicros(update.eventTimeUs),
    receiveTime: isoMicros(update.receiveTimeUs),
    ...(origin.snapshot ? { snapshot: true } : {}),
    ...(origin.conflated ? { conflated: true } : {}),
    ...(origin.history ? { history: true } : {}),
  };
}
