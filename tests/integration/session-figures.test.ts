/**
 * Session figures over real sockets: every client, whenever it connected and however far it fell
 * behind, ends up with the same open, high, low and volume as a client that saw every trade.
 */
import { describe, expect, it } from 'vitest';
import { foldSessionTrade, sessionStartUs, type SessionFigures } from '../../lib/market/session';
import type { SessionStats } from '../../lib/market/types';
import { SUBPROTOCOL_JSON } from '../../lib/protocol';
import type { BatchMessage, ServerMessage, SnapshotMessage } from '../../lib/protocol/messages';
import { createDashboardStore } from '../../lib/store/dashboard-store';
import { createAdapter } from '../../server/adapters';
import type { AdapterSink, AdapterTrade, FeedAdapter } from '../../server/adapters/types';
import { gatewayFixture } from '../support/gateway-fixture';
import { isType, type RawClient } from '../support/raw-client';

const { feed, connect } = gatewayFixture();

type Figures = Pick<SessionStats, 'startTimeUs' | 'open' | 'high' | 'low' | 'volume' | 'tradeCount'>;

/**
 * What a client that saw everything knows of an instrument's session after trade `uptoSeq`: the
 * figures in its snapshot, then every live trade folded in with the shared rule. Undefined until
 * it has received trade `uptoSeq`.
 */
function figuresFrom(messages: readonly ServerMessage[], instrumentId: number, uptoSeq: number): Figures | undefined {
  let s: SessionFigures | undefined;
  let seq = 0;
  for (const m of messages) {
    if (m.type === 'snapshot' && m.instrumentId === instrumentId) {
      const stats = m.updates.find((u): u is SessionStats => u.kind === 'session');
      // No figures: the instrument had not traded yet, and every trade is still to come.
      s = stats
        ? {
            sessionStartUs: stats.startTimeUs,
            open: stats.open,
            high: stats.high,
            low: stats.low,
            volume: stats.volume,
            sessionTrades: stats.tradeCount,
          }
        : { sessionStartUs: undefined, open: undefined, high: undefined, low: undefined, volume: 0, sessionTrades: 0 };
      if (!stats && m.updates.some((u) => u.kind === 'trade')) throw new Error('a snapshot listing trades must carry session figures');
      seq = stats ? stats.seq : m.seq;
    }
    if (m.type !== 'batch' || !s) continue;
    for (const u of m.updates) {
      if (u.instrumentId !== instrumentId || u.kind !== 'trade' || u.seq <= seq || u.seq > uptoSeq) continue;
      foldSessionTrade(s, u.price, u.size, u.eventTimeUs);
      seq = u.seq;
    }
  }
  if (!s || seq !== uptoSeq) return undefined;
  return { startTimeUs: s.sessionStartUs!, open: s.open!, high: s.high!, low: s.low!, volume: s.volume, tradeCount: s.sessionTrades };
}

const figuresOf = ({ startTimeUs, open, high, low, volume, tradeCount }: SessionStats): Figures => ({
  startTimeUs,
  open,
  high,
  low,
  volume,
  tradeCount,
});

async function subscribeAll(client: RawClient, interval: 0 | 1 = 0): Promise<void> {
  await client.waitFor(isType('instruments'));
  client.send({ type: 'subscribe', requestId: 1, all: true, interval, resumeEpoch: 0, symbols: [] });
  await client.waitFor(isType('ack'));
}

describe('Session figures', () => {
  it('a client that connects later starts from the same figures an earlier client has counted', async () => {
    const service = await feed({ simulated: { instruments: 5, ratePerInstrument: 200 } });
    const early = await connect(service.url);
    await subscribeAll(early);
    await new Promise((r) => setTimeout(r, 1500)); // trades the late client never sees live
    const late = await connect(service.url, { protocol: SUBPROTOCOL_JSON });
    await subscribeAll(late);
    const snapshots = late.messages.filter((m): m is SnapshotMessage => m.type === 'snapshot');
    expect(snapshots).toHaveLength(5);
    for (const snapshot of snapshots) {
      const stats = snapshot.updates.find((u): u is SessionStats => u.kind === 'session');
      expect(stats, `session figures for instrument ${snapshot.instrumentId}`).toBeDefined();
      // Far more trades than the snapshot lists: the figures count them all.
      expect(stats!.tradeCount).toBeGreaterThan(snapshot.updates.filter((u) => u.kind === 'trade').length);
      await early.until(
        () => figuresFrom(early.messages, snapshot.instrumentId, stats!.seq) !== undefined,
        5000,
        `the early client to reach seq ${stats!.seq}`,
      );
      expect(figuresOf(stats!)).toStrictEqual(figuresFrom(early.messages, snapshot.instrumentId, stats!.seq));
    }
  });

  it('a client that fell behind gets figures that count the trades it was spared', async () => {
    const service = await feed({
      simulated: { instruments: 20, ratePerInstrument: 200 },
      gateway: { softBufferLimitBytes: 32 * 1024, maxConflatedMs: 20_000 },
    });
    const healthy = await connect(service.url);
    await subscribeAll(healthy);
    const slow = await connect(service.url, { protocol: SUBPROTOCOL_JSON });
    await subscribeAll(slow, 1);
    await slow.waitFor(isType('batch'));
    slow.pauseReading();
    await slow.until(() => service.gateway.stats().conflating === 1, 15_000, 'conflation');
    slow.resumeReading();
    const conflated = await slow.waitFor((m): m is BatchMessage => m.type === 'batch' && m.conflated, 10_000);
    const figures = conflated.updates.filter((u): u is SessionStats => u.kind === 'session');
    expect(figures.length).toBeGreaterThan(0);
    for (const stats of figures) {
      await healthy.until(
        () => figuresFrom(healthy.messages, stats.instrumentId, stats.seq) !== undefined,
        5000,
        `the healthy client to reach seq ${stats.seq}`,
      );
      expect(figuresOf(stats)).toStrictEqual(figuresFrom(healthy.messages, stats.instrumentId, stats.seq));
    }
    expect(slow.closeCode).toBeUndefined();
  });

  it("a client that fell behind across UTC midnight shows the new day's figures, even when a late trade of the previous day came last", async () => {
    const midnightUs = sessionStartUs(Date.now() * 1000);
    let sink: AdapterSink | undefined;
    const scripted: FeedAdapter = {
      name: 'scripted',
      venue: 'SCRIPT',
      async start(s) {
        sink = s;
        s.instruments([{ symbol: 'X', priceDecimals: 0, sizeDecimals: 0 }]);
        s.status('live');
      },
      async stop() {},
    };
    const trade = (tradeId: number, price: number, size: number, eventTimeUs: number): AdapterTrade => ({
      symbol: 'X',
      price,
      size,
      side: 'buy',
      tradeId,
      eventTimeUs,
    });
    const service = await feed({
      adapters: [createAdapter('simulated', { seed: 7, instruments: 20, ratePerInstrument: 200 }), scripted],
      gateway: { softBufferLimitBytes: 32 * 1024, maxConflatedMs: 20_000 },
    });
    sink!.trade(trade(1, 100, 1, midnightUs - 1_000)); // the last millisecond of yesterday
    await new Promise((r) => setTimeout(r, 200));
    const slow = await connect(service.url, { protocol: SUBPROTOCOL_JSON });
    await subscribeAll(slow);
    const instruments = slow.messages.find(isType('instruments'))!;
    const id = instruments.instruments.find((i) => i.symbol === 'SCRIPT:X')!.id;
    await slow.waitFor(
      (m): m is SnapshotMessage => m.type === 'snapshot' && m.instrumentId === id && m.updates.some((u) => u.kind === 'session'),
    );
    slow.pauseReading();
    await slow.until(() => service.gateway.stats().conflating === 1, 15_000, 'conflation');
    sink!.trade(trade(2, 200, 2, midnightUs + 1_000)); // today's first trade
    sink!.trade(trade(3, 50, 5, midnightUs - 2_000)); // a late trade of yesterday: not in today's figures
    await new Promise((r) => setTimeout(r, 200));
    slow.resumeReading();
    await slow.waitFor((m): m is BatchMessage => m.type === 'batch' && m.conflated && m.updates.some((u) => u.instrumentId === id), 10_000);

    const store = createDashboardStore({ url: 'ws://test', scheduler: () => () => {}, now: () => 0 });
    for (const m of slow.messages) store.getState().actions.ingest(m);
    store.getState().actions.flush();
    expect(store.getState().tickers[id]).toMatchObject({
      sessionStartUs: midnightUs,
      open: 200,
      high: 200,
      low: 200,
      volume: 2,
      sessionTrades: 1,
      last: 50,
    });
    expect(slow.closeCode).toBeUndefined();
  });
});
