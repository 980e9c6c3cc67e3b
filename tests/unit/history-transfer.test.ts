/**
 * History state moved between processes (ingest -> a warming gateway, docs/scaling.md): a history
 * that imported another's state at seq S and then applied the same later ticks answers every
 * snapshot and resume exactly as the exporter does, through JSON, with exact sums beyond 2^53.
 */
import { describe, expect, it } from 'vitest';
import { History, type InstrumentHistoryState } from '../../server/history/history';
import type { Tick } from '../../server/bus/types';
import { BAR_INTERVALS, Side } from '../../lib/market/types';

const T0 = 1_699_999_200_000_000;

/** A deterministic mix of trades (some late, some huge) and quotes for instrument 7. */
function stream(from: number, count: number): Tick[] {
  const out: Tick[] = [];
  for (let seq = from; seq < from + count; seq++) {
    const timeUs = T0 + seq * 700_000 - (seq % 13 === 0 ? 90_000_000 : 0);
    if (seq % 3 === 0) {
      out.push({
        kind: 'quote',
        instrumentId: 7,
        seq,
        eventTimeUs: timeUs,
        receiveTimeUs: timeUs + 9,
        bid: 1000 + seq,
        bidSize: 5,
        ask: 1002 + seq,
        askSize: 4,
      });
    } else {
      const size = seq % 11 === 0 ? 2 ** 52 : 1 + (seq % 7);
      out.push({
        kind: 'trade',
        instrumentId: 7,
        seq,
        eventTimeUs: timeUs,
        receiveTimeUs: timeUs + 9,
        price: 5_000_000 + ((seq * 7919) % 1000),
        size,
        side: Side.Buy,
        tradeId: `t${seq}`,
      });
    }
  }
  return out;
}

function view(h: History) {
  return {
    lastSeq: h.lastSeq(7),
    quote: h.lastQuote(7),
    trades: h.recentTrades(7),
    session: h.session(7),
    bars: BAR_INTERVALS.map((i) => h.bars(7, i)),
    resume: h.ticksAfter(7, h.lastSeq(7) - 150),
  };
}

describe('History.exportInstrument / importInstrument', () => {
  it('continues exactly where the exporter was, through JSON', () => {
    const source = new History({ tickCapacity: 300, tradeCapacity: 50, barCapacity: 40 });
    source.apply(stream(1, 2000));
    const exported = JSON.parse(JSON.stringify(source.exportInstrument(7))) as InstrumentHistoryState;
    const warmed = new History({ tickCapacity: 300, tradeCapacity: 50, barCapacity: 40 });
    warmed.importInstrument(exported);
    expect(view(warmed)).toEqual(view(source));

    const later = stream(2001, 1500);
    const changedSource = source.apply(later);
    const changedWarmed = warmed.apply(later);
    expect(changedWarmed).toEqual(changedSource);
    expect(view(warmed)).toEqual(view(source));
    // The bars carry sums past 2^53 (sizes of 2^52), so a rounded import would show in the vwap.
    expect(source.bars(7, 3600).some((b) => b.volume === Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('exports nothing for an unknown instrument and ignores intervals it does not build', () => {
    const source = new History({ intervals: [1, 60] });
    expect(source.exportInstrument(7)).toBeUndefined();
    source.apply(stream(1, 100));
    const narrow = new History({ intervals: [60] });
    narrow.importInstrument(source.exportInstrument(7)!);
    expect(narrow.bars(7, 60)).toEqual(source.bars(7, 60));
    expect(narrow.bars(7, 1)).toEqual([]);
    expect(narrow.has(7)).toBe(true);
  });
});
