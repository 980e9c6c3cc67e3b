/**
 * The gateway's WebSocket pings over real sockets: spread over the interval rather than sent to every
 * client at once (a burst that stalled live batches with many clients), each client still pinged once
 * per interval, and a client that stops answering still dropped.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SUBPROTOCOL_BINARY } from '../../lib/protocol';
import { gatewayFixture } from '../support/gateway-fixture';

const { feed, connect } = gatewayFixture();

/** Groups sorted times (ms) into bursts: a time more than `gapMs` after the previous one starts a new burst. */
function bursts(times: number[], gapMs: number): number[][] {
  const sorted = [...times].sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const t of sorted) {
    const last = groups.at(-1);
    if (last && t - last.at(-1)! <= gapMs) last.push(t);
    else groups.push([t]);
  }
  return groups;
}

describe('Gateway pings', () => {
  it('pings a few clients at a time, spread over the interval, and each client once per interval', async () => {
    // 1 s interval: four slots, a tick every 250 ms.
    const service = await feed({ gateway: { wsPingIntervalMs: 1000 } });
    const clients = await Promise.all(Array.from({ length: 12 }, () => connect(service.url)));
    const pingsAt = clients.map((client) => {
      const times: number[] = [];
      client.ws.on('ping', () => times.push(performance.now()));
      return times;
    });
    await new Promise((resolve) => setTimeout(resolve, 2600));
    // Every client was pinged about once a second.
    for (const times of pingsAt) {
      expect(times.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(700);
    }
    // The first round: each client's first ping, in four bursts of three rather than one of twelve.
    const firstRound = bursts(
      pingsAt.map((times) => times[0]!),
      20,
    );
    expect(firstRound.map((b) => b.length)).toEqual([3, 3, 3, 3]);
  });

  it('still drops a client that stops answering pings, and keeps the one that answers', async () => {
    const service = await feed({ gateway: { wsPingIntervalMs: 1000 } });
    const answering = await connect(service.url);
    const silent = new WebSocket(service.url, SUBPROTOCOL_BINARY, { autoPong: false });
    const closeCode = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    silent.on('error', () => undefined);
    const started = performance.now();
    // Pinged within one interval, dropped at its next ping one interval later.
    expect(await closeCode).toBe(1006);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(answering.closeCode).toBeUndefined();
  });
});
