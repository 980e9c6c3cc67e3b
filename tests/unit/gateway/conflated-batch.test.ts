import { describe, expect, it } from 'vitest';
import { Side, type BarInterval, type MarketUpdate, type Quote, type Trade } from '../../../lib/market/types';
import { buildConflatedUpdates } from '../../../server/gateway/conflated-batch';
import { History } from '../../../server/history/history';

const DAY_US = 86_400_000_000;
/** A UTC midnight, so bars and session days line up with round numbers. */
const MIDNIGHT = 1_700_006_400_000_000;

function trade(instrumentId: number, seq: number, timeUs: number, price = 100): Trade {
  return { kind: 'trade', instrumentId, seq, eventTimeUs: timeUs, receiveTimeUs: timeUs, price, size: 1, side: Side.Buy, tradeId: seq };
}

function quote(instrumentId: number, seq: number, timeUs: number): Quote {
  return { kind: 'quote', instrumentId, seq, eventTimeUs: timeUs, receiveTimeUs: timeUs, bid: 99, bidSize: 1, ask: 101, askSize: 1 };
}

/** Kind (with the interval for bars) and seq of each update, in order. */
const shape = (updates: readonly MarketUpdate[]): string[] =>
  updates.map((u) => `${u.kind === 'bar' ? `bar${u.interval}` : u.kind}@${u.instrumentId}#${u.seq}`);

const held =
  (table: Record<number, readonly BarInterval[]>) =>
  (id: number): readonly BarInterval[] | undefined =>
    table[id];

describe('buildConflatedUpdates', () => {
  it('sends the quote, the last trade and the session figures of an instrument held without bars, in seq order', () => {
    const history = new History();
    history.apply([trade(1, 1, MIDNIGHT + 1_000_000), trade(1, 2, MIDNIGHT + 2_000_000), quote(1, 3, MIDNIGHT + 2_500_000)]);
    expect(shape(buildConflatedUpdates(history, [1], held({ 1: [] })))).toEqual(['trade@1#2', 'session@1#2', 'quote@1#3']);
  });

  it('sends the current bar of every held interval, not the trades folded into them', () => {
    const history = new History();
    history.apply([trade(1, 1, MIDNIGHT + 1_000_000), trade(1, 2, MIDNIGHT + 7_000_000, 105)]);
    const updates = buildConflatedUpdates(history, [1], held({ 1: [5, 60] }));
    expect(shape(updates)).toEqual(['bar5@1#2', 'bar60@1#2', 'session@1#2']);
    const bar60 = updates.find((u) => u.kind === 'bar' && u.interval === 60);
    expect(bar60).toMatchObject({ open: 100, close: 105, tradeCount: 2 });
  });

  it('adds the last trade when it is a late trade of the previous day that no bar or figure carries', () => {
    const history = new History();
    history.apply([trade(1, 1, MIDNIGHT + 1_000_000), trade(1, 2, MIDNIGHT - 500_000, 90)]);
    const updates = buildConflatedUpdates(history, [1], held({ 1: [60] }));
    expect(Math.max(...updates.map((u) => u.seq))).toBe(history.lastSeq(1));
    expect(shape(updates).at(-1)).toBe('trade@1#2');
  });

  it('leaves out instruments no longer held and instruments with nothing to say', () => {
    const history = new History();
    history.apply([trade(1, 1, MIDNIGHT + 1_000_000), trade(2, 1, MIDNIGHT + 1_000_000)]);
    expect(shape(buildConflatedUpdates(history, [1, 2, 3], held({ 2: [60], 3: [60] })))).toEqual(['bar60@2#1', 'session@2#1']);
  });

  it('keeps each instrument together, in the order the ids come', () => {
    const history = new History();
    history.apply([quote(2, 1, MIDNIGHT + 1), trade(1, 1, MIDNIGHT + DAY_US / 2)]);
    expect(shape(buildConflatedUpdates(history, [2, 1], held({ 1: [], 2: [] })))).toEqual(['quote@2#1', 'trade@1#1', 'session@1#1']);
  });
});
