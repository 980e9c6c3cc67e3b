/**
 * Load generator for bench/fanout.ts and bench/scale.ts (forked with IPC by bench/load-fleet.ts,
 * possibly several at once): opens the real WebSocket clients it is given, each to its own URL and
 * subscribed to its instruments, decodes every message with the
 * real decoder, checks sequence gaps and records latency (feed receive time -> client decode) in a
 * 0.1 ms histogram that the parent merges with the other load processes'.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { SUBPROTOCOL_BINARY, decodeServerMessage, encodeMessage } from '../lib/protocol';
import { watchStalls } from './loop-stalls';

interface Config {
  /** One entry per client this process opens: the URL it connects to and the symbols it subscribes to. */
  clients: { url: string; symbols: string[] }[];
}

const BUCKET_US = 100;
const histogram = new Float64Array(20_000); // 0..2 s in 0.1 ms buckets; the last bucket collects the rest
let deliveries = 0;
let gaps = 0;
let messages = 0;
let bytes = 0;
let cpuMark = process.cpuUsage();
let wallMark = Date.now();
const sockets: WebSocket[] = [];
/**
 * Clients the server closed, by close code, since they were opened (not zeroed by 'record': a close
 * in the warm-up leaves a client that delivers nothing in the window). The load generator does not
 * reconnect, so each one lowers deliveries/s.
 */
const closedByCode: Record<string, number> = {};
let stopping = false;
/** How late this process's event loop ran over the window: a stall here shows as its max. */
/**
 * Event-loop sampling interval (ms). The histogram records the time between samples, so the
 * lateness reported is that minus this.
 */
const LOOP_SAMPLE_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
const stalls = watchStalls();

function openClient(url: string, symbols: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, SUBPROTOCOL_BINARY, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    // Last sequence number per instrument id (ids are small integers); -1 = none yet. A typed array
    // rather than a Map: this handler runs 2 million times a second across the clients.
    let lastSeq = new Float64Array(256).fill(-1);
    const seen = (id: number): number => {
      if (id >= lastSeq.length) {
        const grown = new Float64Array(Math.max(id + 1, lastSeq.length * 2)).fill(-1);
        grown.set(lastSeq);
        lastSeq = grown;
      }
      return lastSeq[id] as number;
    };
    ws.on('open', () => {
      ws.send(
        encodeMessage({
          type: 'subscribe',
          requestId: 1,
          all: false,
          interval: 0,
          resumeEpoch: 0,
          symbols: symbols.map((symbol) => ({ symbol, lastSeq: 0 })),
        }),
      );
      sockets.push(ws);
      resolve();
    });
    ws.on('error', reject);
    ws.on('close', (code: number) => {
      if (!stopping) closedByCode[code] = (closedByCode[code] ?? 0) + 1;
    });
    ws.on('message', (data: Buffer) => {
      const message = decodeServerMessage(data);
      if (message.type === 'snapshot') {
        seen(message.instrumentId);
        lastSeq[message.instrumentId] = message.seq;
        return;
      }
      if (message.type !== 'batch') return;
      // The same µs wall clock the normaliser stamps receiveTimeUs with (Date.now() would truncate
      // to the millisecond and read up to 1 ms low).
      const nowUs = (performance.timeOrigin + performance.now()) * 1000;
      // Counted always, warm-up included ('record' zeroes the counters): a branch first taken when the
      // window opened made V8 deoptimise this handler right there, and the slow code that ran until
      // it was optimised again put the load generator behind for up to a second (docs/performance.md).
      for (const u of message.updates) {
        if (u.kind === 'bar' || u.kind === 'session') continue;
        const last = seen(u.instrumentId);
        if (last >= 0 && u.seq !== last + 1 && !message.conflated) gaps++;
        lastSeq[u.instrumentId] = u.seq;
        deliveries++;
        const bucket = Math.min(histogram.length - 1, Math.max(0, Math.floor((nowUs - u.receiveTimeUs) / BUCKET_US)));
        histogram[bucket]!++;
      }
      messages++;
      bytes += data.byteLength;
    });
  });
}

function cpuCores(): number {
  const used = process.cpuUsage(cpuMark);
  return (used.user + used.system) / 1000 / (Date.now() - wallMark);
}

process.on('message', async (msg: { type: string; config?: Config }) => {
  if (msg.type === 'open' && msg.config) {
    for (const { url, symbols } of msg.config.clients) await openClient(url, symbols);
    process.send?.({ type: 'opened', clients: sockets.length });
  } else if (msg.type === 'record') {
    histogram.fill(0);
    deliveries = gaps = messages = bytes = 0;
    cpuMark = process.cpuUsage();
    wallMark = Date.now();
    loopDelay.reset();
    loopDelay.enable();
    stalls.reset();
  } else if (msg.type === 'report') {
    process.send?.({
      type: 'report',
      stalls: stalls.stalls(),
      deliveries,
      gaps,
      messages,
      bytes,
      histogram: Array.from(histogram),
      bucketUs: BUCKET_US,
      cpuCores: cpuCores(),
      closedByCode,
      loopDelayMs: [50, 99, 100].map((p) => Math.max(0, (p === 100 ? loopDelay.max : loopDelay.percentile(p)) / 1e6 - LOOP_SAMPLE_MS)),
    });
  } else if (msg.type === 'stop') {
    stopping = true;
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
process.send?.({ type: 'ready' });
