/**
 * Codec benchmark: Tickwire binary (`tickwire.v2`) vs JSON vs msgpackr on the same realistic batches
 * (bench/codec-data.ts). For each: encode and decode throughput in updates/s, bytes per update, and
 * ratios against JSON. The JSON baseline is plain `JSON.stringify` / `JSON.parse` of the message
 * objects (what `tickwire.v2.json` puts on the wire); msgpackr is its standalone `pack` / `unpack`.
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

/** Length of one measurement slice (ms of wall time). */
const SLICE_MS = 50;

/** One thing to measure: `step()` does one operation (e.g. encodes one batch) and returns the updates it handled. */
interface Task {
  readonly step: () => number;
}

/** Cycles through `inputs`, applying `op` to the next one per step. */
function cycling<T>(inputs: readonly T[], updatesOf: (input: T) => number, op: (input: T) => number): Task {
  let i = 0;
  return {
    step: () => {
      const input = inputs[i] as T;
      i = i + 1 === inputs.length ? 0 : i + 1;
      sink += op(input);
      return updatesOf(input);
    },
  };
}

/** Runs `task` for one slice; returns updates per second of this process's CPU time. */
function slice(task: Task): number {
  let updates = 0;
  const sliceEnd = performance.now() + SLICE_MS;
  const cpuStart = process.cpuUsage();
  do {
    // Check the clock every 8 steps: performance.now() is not free.
    for (let k = 0; k < 8; k++) updates += task.step();
  } while (performance.now() < sliceEnd);
  const cpu = process.cpuUsage(cpuStart);
  return updates / ((cpu.user + cpu.system) / 1e6);
}

/**
 * Measures tasks side by side: round after round, one {@link SLICE_MS} slice of each, for `seconds`;
 * returns each task's median slice rate (updates per CPU-second). Interleaving puts every contender
 * under the same conditions on a machine shared with other work; CPU time excludes time spent
 * descheduled; the median discards slices hit by a GC or a burst of contention.
 */
function race(tasks: readonly Task[], seconds: number): number[] {
  const rates: number[][] = tasks.map(() => []);
  const deadline = performance.now() + seconds * 1000;
  do {
    tasks.forEach((task, t) => (rates[t] as number[]).push(slice(task)));
  } while (performance.now() < deadline);
  return rates.map((r) => {
    const sorted = [...r].sort((a, b) => a - b);
    return sorted[sorted.length >> 1] as number;
  });
}

interface Contender {
  readonly name: string;
  /** Serialises a batch; returns the wire form. */
  readonly encode: (batch: BatchMessage) => Uint8Array | string;
  /** Parses the wire form; returns the number of updates seen (checks the work happened). */
  readonly decode: (wire: Uint8Array | string) => number;
}

const wireBytes = (wire: Uint8Array | string) => (typeof wire === 'string' ? Buffer.byteLength(wire) : wire.length);
const wireLength = (wire: Uint8Array | string) => wire.length;

const CONTENDERS: readonly Contender[] = [
  {
    name: 'JSON (stringify/parse)',
    encode: (b) => JSON.stringify(b),
    decode: (w) => (JSON.parse(w as string) as BatchMessage).updates.length,
  },
  {
    name: 'tickwire.v2 binary',
    encode: (b) => encodeMessage(b),
    decode: (w) => (decodeServerMessage(w as Uint8Array) as BatchMessage).updates.length,
  },
  {
    name: 'msgpackr (pack/unpack)',
    // pack() may return a view into a reused buffer: copy, so stored frames stay intact.
    encode: (b) => Uint8Array.from(pack(b)),
    decode: (w) => (unpack(w as Uint8Array) as BatchMessage).updates.length,
  },
  {
    name: 'tickwire.v2.json (validating)',
    encode: (b) => encodeJsonMessage(b),
    decode: (w) => (decodeJsonServerMessage(w as string) as BatchMessage).updates.length,
  },
];

interface Row {
  readonly name: string;
  readonly encodePerS: number;
  readonly decodePerS: number;
  readonly bytesPerUpdate: number;
}

/** The gateway's path: one segment per instrument per flush, then header + concatenation per client. */
function segmentTask(batches: readonly BatchMessage[]): Task {
  const grouped = batches.map((b) => {
    const byInstrument = new Map<number, MarketUpdate[]>();
    for (const u of b.updates) {
      const group = byInstrument.get(u.instrumentId);
      if (group) group.push(u);
      else byInstrument.set(u.instrumentId, [u]);
    }
    return { count: b.updates.length, groups: [...byInstrument.values()], base: b.updates[0]?.eventTimeUs ?? 0 };
  });
  return cycling(
    grouped,
    (g) => g.count,
    (g) => {
      const segments = g.groups.map((group) => encodeUpdateSegment(group, g.base));
      return assembleBatch(false, g.base, g.count, segments).length;
    },
  );
}

function run(options: Options): { rows: Row[]; segmentEncodePerS: number; segmentsPerBatch: number; updates: number } {
  const batches = makeBatches({ updatesPerBatch: options.batch });
  const updates = batches.reduce((n, b) => n + b.updates.length, 0);
  const updatesOf = (b: BatchMessage) => b.updates.length;
  const frames = CONTENDERS.map((c) => {
    const wires = batches.map((b) => c.encode(b));
    wires.forEach((w, i) => {
      if (c.decode(w) !== (batches[i] as BatchMessage).updates.length) throw new Error(`${c.name} lost updates`);
    });
    return wires.map((wire, i) => ({ wire, count: (batches[i] as BatchMessage).updates.length }));
  });
  const encodeTasks = [...CONTENDERS.map((c) => cycling(batches, updatesOf, (b) => wireLength(c.encode(b)))), segmentTask(batches)];
  const decodeTasks = CONTENDERS.map((c, i) =>
    cycling(
      frames[i] as { wire: Uint8Array | string; count: number }[],
      (f) => f.count,
      (f) => c.decode(f.wire),
    ),
  );
  race(encodeTasks, options.warmup);
  const encodeRates = race(encodeTasks, options.seconds);
  race(decodeTasks, options.warmup);
  const decodeRates = race(decodeTasks, options.seconds);
  const rows = CONTENDERS.map((c, i) => ({
    name: c.name,
    encodePerS: encodeRates[i] as number,
    decodePerS: decodeRates[i] as number,
    bytesPerUpdate: (frames[i] as { wire: Uint8Array | string }[]).reduce((n, f) => n + wireBytes(f.wire), 0) / updates,
  }));
  const instruments = batches.reduce((n, b) => n + new Set(b.updates.map((u) => u.instrumentId)).size, 0);
  return { rows, segmentEncodePerS: encodeRates[CONTENDERS.length] as number, segmentsPerBatch: instruments / batches.length, updates };
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`);
const ratio = (n: number) => `${n.toFixed(2)}x`;

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const { rows, segmentEncodePerS, segmentsPerBatch, updates } = run(options);
  const json = rows[0] as Row;
  console.log(
    `node ${process.version}, ${updates} updates in batches of ${options.batch}; ${options.warmup}s warm-up + ${options.seconds}s per measurement; ` +
      `contenders interleaved in ${SLICE_MS} ms slices; rates are medians, in updates per CPU-second`,
  );
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
  console.log(
    `tickwire.v2 gateway path (encodeUpdateSegment per instrument, ${segmentsPerBatch.toFixed(0)} segments per batch, + assembleBatch): ` +
      `${fmt(segmentEncodePerS)} upd/s (${ratio(segmentEncodePerS / json.encodePerS)} JSON encode)`,
  );
  if (sink === 42) console.log(''); // keeps `sink` observable
}

main();
