/** Shared helpers for adapter tests: a recording sink, a normaliser on a bus, a local venue server. */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Instrument } from '../../../lib/market/types';
import type { VenueStatus } from '../../../lib/protocol/messages';
import type { AdapterSink } from '../../../server/adapters/types';
import { InProcessBus } from '../../../server/bus/in-process';
import type { Tick } from '../../../server/bus/types';
import { createLogger } from '../../../server/log';
import { Normaliser, type NormaliserOptions } from '../../../server/normaliser/normaliser';

/** A sink that records every call in order. */
export function recordingSink() {
  const events: { kind: 'instruments' | 'trade' | 'quote' | 'status' | 'heartbeat'; value: unknown }[] = [];
  const sink: AdapterSink = {
    instruments: (list) => events.push({ kind: 'instruments', value: list }),
    trade: (trade) => events.push({ kind: 'trade', value: trade }),
    quote: (quote) => events.push({ kind: 'quote', value: quote }),
    status: (state, reason) => events.push({ kind: 'status', value: reason ? `${state}: ${reason}` : state }),
    heartbeat: () => events.push({ kind: 'heartbeat', value: undefined }),
  };
  const of = (kind: string) => events.filter((e) => e.kind === kind).map((e) => e.value);
  return { sink, events, of, statuses: () => of('status') as string[] };
}

/** A normaliser publishing to an in-process bus, with everything published collected. */
export function normalisedStream(options: Partial<NormaliserOptions> = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const bus = new InProcessBus({ epoch: 1 });
  const ticks: Tick[] = [];
  const statuses: (readonly VenueStatus[])[] = [];
  bus.onTicks((batch) => ticks.push(...batch));
  bus.onStatus((status) => statuses.push(status));
  // Venue samples carry their documented (old) timestamps: accept any past time.
  const normaliser = new Normaliser({ bus, logger, maxPastSkewUs: 100 * 365 * 86_400_000_000, ...options });
  const instrument = (id: number): Instrument | undefined => bus.instruments().find((i) => i.id === id);
  return {
    bus,
    normaliser,
    ticks,
    statuses,
    logLines: lines,
    instrument,
    /** The last published state of `venue`. */
    venueState: (venue: string) => bus.status().find((v) => v.venue === venue),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every 5 ms until true, failing after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A local WebSocket server standing in for a venue. */
export async function venueServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const sockets: WebSocket[] = [];
  const received: { socket: number; text: string }[] = [];
  const paths: string[] = [];
  const pongs: string[] = [];
  wss.on('connection', (ws, req) => {
    const index = sockets.push(ws) - 1;
    paths.push(req.url ?? '');
    ws.on('message', (data) => received.push({ socket: index, text: data.toString() }));
    ws.on('pong', (data) => pongs.push(data.toString()));
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    sockets,
    received,
    paths,
    pongs,
    /** The newest connection. */
    latest: () => sockets[sockets.length - 1],
    /** Sends raw text lines on the newest connection. */
    send: (...lines: string[]) => {
      const ws = sockets[sockets.length - 1];
      if (!ws) throw new Error('no venue connection');
      for (const line of lines) ws.send(line);
    },
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
