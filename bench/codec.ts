/**
 * Codec benchmark: Tickwire binary (`tickwire.v1`) vs JSON vs msgpackr on the same realistic batches
 * (bench/codec-data.ts). For each: encode and decode throughput in updates/s, bytes per update, and
 * ratios against JSON. The JSON baseline is plain `JSON.stringify` / `JSON.parse` of the message
 * objects (what `tickwire.v1.json` puts on the wire); msgpackr is its standalone `pack` / `unpack`.
 * Also shown: the validating Tickwire JSON codec and the gateway's segment path.
 *
 *   npm run bench:codec -- [--seconds=2] [--warmup=1] [--batch=200]
 */
import { pack, unpack } from 'msgpackr';
import type { MarketUpdate } from '../lib/market/types';
import {
  assembleBatch,
  decodeJsonServerMessage,
  decodeServerMessage,
  encodeJsonMessage,
  encodeMessage,
  encodeUpdateSegment,
  type BatchMessage,
} from '../lib/protocol';
import { makeBatches } from './codec-data';

interface Options {
  /** Measured time per operation, s. */
  readonly seconds: number;
  /** Warm-up time per operation, s (lets the JIT settle before measuring). */
  readonly warmup: number;
  /** Updates per batch. */
  readonly batch: number;
}

const DEFAULTS: Options = { seconds: 2, warmup: 1, batch: 200 };

function parseArgs(argv: readonly string[]): Options {
  const options: Record<string, number> = { ...DEFAULTS };
  for (const arg of argv) {
    const match = /^--(seconds|warmup|batch)=(\d+(?:\.\d+)?)$/.exec(arg);
    if (!match) throw new TypeError(`unknown argument ${arg}; expected --seconds=N, --warmup=N or --batch=N`);
    options[match[1] as string] = Number(match[2]);
  }
  if (!(options.seconds! > 0)) throw new TypeError('--seconds must be > 0');
  if (!(options.batch! >= 1)) throw new TypeError('--batch must be >= 1');
  return options as unknown as Options;
}

/** Anything the measured code returns goes in here, so the JIT cannot drop the work. */
let sink = 0;

/** Runs `op` over the inputs round-robin for `seconds`; returns items (updates) per second. */
function measure<T>(inputs: readonly T[], itemsPer: (input: T) => number, op: (input: T) => number, seconds: number): number {
  let items = 0;
  let i = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let now = started;
  while (now < deadline) {
    // Check the clock every 16 operations: performance.now() is not free.
    for (let k = 0; k < 16; k++) {
      const input = inputs[i] as T;
      sink += op(input);
      items += itemsPer(input);
      i = i + 1 === inputs.length ? 0 : i + 1;
    }
    now = performance.now();
  }
  return items / ((now - started) / 1000);
}

interface Contender {
  readonly name: string;
  /** Serialises a batch; returns the wire form. */
  readonly encode: (batch: BatchMessage) => Uint8Array | string;
  /** Parses the wire form; returns the number of updates seen (checks the work happened). */
  readonly decode: (wire: Uint8Array | string) => number;
  /** Bytes the wire form takes on the socket. */
  readonly bytes: (wire: Uint8Array | string) => number;
}

const utf8Bytes = (wire: Uint8Array | string) => (typeof wire === 'string' ? Buffer.byteLength(wire) : wire.length);

const CONTENDERS: readonly Contender[] = [
  {
    name: 'JSON (stringify/parse)',
    encode: (b) => JSON.stringify(b),
    decode: (w) => (JSON.parse(w as string) as BatchMessage).updates.length,
    bytes: utf8Bytes,
  },
  {
    name: 'tickwire.v1 binary',
    encode: (b) => encodeMessage(b),
    decode: (w) => (decodeServerMessage(w as Uint8Array) as BatchMessage).updates.length,
    bytes: utf8Bytes,
  },
  {
    name: 'msgpackr (pack/unpack)',
    // pack() may return a view into a reused buffer: copy, so stored frames stay intact.
    encode: (b) => Uint8Array.from(pack(b)),
    decode: (w) => (unpack(w as Uint8Array) as BatchMessage).updates.length,
    bytes: utf8Bytes,
  },
  {
    name: 'tickwire.v1.json (validating)',
    encode: (b) => encodeJsonMessage(b),
    decode: (w) => (decodeJsonServerMessage(w as string) as BatchMessage).updates.length,
    bytes: utf8Bytes,
  },
];

interface Row {
  readonly name: string;
  readonly encodePerS: number;
  readonly decodePerS: number;
  readonly bytesPerUpdate: number;
}

function run(options: Options): { rows: Row[]; segmentEncodePerS: number; updates: number } {
  const batches = makeBatches({ updatesPerBatch: options.batch });
  const updates = batches.reduce((n, b) => n + b.updates.length, 0);
  const countOf = (b: BatchMessage) => b.updates.length;
  const rows: Row[] = [];
  for (const c of CONTENDERS) {
    const wires = batches.map((b) => c.encode(b));
    const frames = wires.map((wire, i) => ({ wire, count: (batches[i] as BatchMessage).updates.length }));
    for (const f of frames) if (c.decode(f.wire) !== f.count) throw new Error(`${c.name} lost updates`);
    const frameCount = (f: (typeof frames)[number]) => f.count;
    const decodeOp = (f: (typeof frames)[number]) => c.decode(f.wire);
    const encodeOp = (b: BatchMessage) => {
      const w = c.encode(b);
      return typeof w === 'string' ? w.length : w.length;
    };
    measure(batches, countOf, encodeOp, options.warmup);
    const encodePerS = measure(batches, countOf, encodeOp, options.seconds);
    measure(frames, frameCount, decodeOp, options.warmup);
    const decodePerS = measure(frames, frameCount, decodeOp, options.seconds);
    const bytes = wires.reduce((n, w) => n + c.bytes(w), 0);
    rows.push({ name: c.name, encodePerS, decodePerS, bytesPerUpdate: bytes / updates });
  }
  // The gateway's path: one segment per instrument per flush, then a header + concatenation.
  const grouped = batches.map((b) => {
    const byInstrument = new Map<number, MarketUpdate[]>();
    for (const u of b.updates) byInstrument.set(u.instrumentId, [...(byInstrument.get(u.instrumentId) ?? []), u]);
    return { batch: b, groups: [...byInstrument.values()], base: b.updates[0]?.eventTimeUs ?? 0 };
  });
  const segmentOp = (g: (typeof grouped)[number]) => {
    const segments = g.groups.map((group) => encodeUpdateSegment(group, g.base));
    return assembleBatch(false, g.base, g.batch.updates.length, segments).length;
  };
  measure(grouped, (g) => g.batch.updates.length, segmentOp, options.warmup);
  const segmentEncodePerS = measure(grouped, (g) => g.batch.updates.length, segmentOp, options.seconds);
  return { rows, segmentEncodePerS, updates };
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`);
const ratio = (n: number) => `${n.toFixed(2)}x`;

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const { rows, segmentEncodePerS, updates } = run(options);
  const json = rows[0] as Row;
  console.log(`node ${process.version}, ${updates} updates in batches of ${options.batch}; ${options.warmup}s warm-up + ${options.seconds}s per measurement`);
  console.log('');
  console.log('| codec | encode upd/s | decode upd/s | bytes/upd | encode vs JSON | decode vs JSON | size vs JSON |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${fmt(r.encodePerS)} | ${fmt(r.decodePerS)} | ${r.bytesPerUpdate.toFixed(1)} | ` +
        `${ratio(r.encodePerS / json.encodePerS)} | ${ratio(r.decodePerS / json.decodePerS)} | ${ratio(r.bytesPerUpdate / json.bytesPerUpdate)} |`,
    );
  }
  console.log('');
  console.log(`tickwire.v1 gateway path (encodeUpdateSegment per instrument + assembleBatch): ${fmt(segmentEncodePerS)} upd/s (${ratio(segmentEncodePerS / json.encodePerS)} JSON encode)`);
  if (sink === 42) console.log(''); // keeps `sink` observable
}

main();
