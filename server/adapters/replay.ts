/**
 * The `replay` feed adapter: plays a recording (NDJSON from `npm run record`, or CSV) back in file
 * order at a speed factor, optionally looping. Event times are moved to the present: the first
 * tick of each pass is stamped "now" and the rest keep their spacing divided by the speed, so a
 * 1-hour file at 60x is a live-looking minute. Without `file` it plays the bundled sample
 * (samples/sample.ndjson, recorded from the simulator), so it runs out of the box.
 * Format: see recording-format.ts; guide: docs/adapters.md.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '../log';
import { recordingFormatOf, parseRecording, type Recording, type RecordingFormat } from './recording-reader';
import type { RecordedTick } from './recording-format';
import { replayBars, type ReplayTimeline } from './replay-history';
import type { AdapterBar, AdapterHistoryRequest, AdapterInstrument, AdapterSink, FeedAdapter } from './types';
import { describeUserPath, resolveUserPath } from './user-path';

/** The recording played when no `file` is given. */
export const SAMPLE_RECORDING = fileURLToPath(new URL('./samples/sample.ndjson', import.meta.url));

/** Options of {@link ReplayAdapter}. */
export interface ReplayOptions {
  /**
   * Recording to play (.ndjson / .jsonl / .csv). A relative path is relative to the folder the
   * command was run in (`INIT_CWD` under npm, else the working directory: user-path.ts).
   * @defaultValue the bundled sample
   */
  readonly file: string;
  /** Speed factor, 1 (real time) to 1000. @defaultValue 1 */
  readonly speed: number;
  /** Start again from the top at the end, forever. @defaultValue false */
  readonly loop: boolean;
  /** Venue the replayed instruments are listed under. @defaultValue "REPLAY" */
  readonly venue: string;
  /** Play only the lines recorded from this venue (needed when two venues share a symbol). @defaultValue all */
  readonly sourceVenue: string;
  /** "auto" (by extension: .csv is CSV, else NDJSON), "ndjson" or "csv". @defaultValue "auto" */
  readonly format: 'auto' | RecordingFormat;
  /** Pump period, ms: the ticks due are emitted together once per period. @defaultValue 10 */
  readonly tickIntervalMs: number;
  /** Largest file accepted, bytes (the file is read whole). @defaultValue 64 MiB */
  readonly maxFileBytes: number;
  /** Where unusable lines are reported (once per kind). @defaultValue a logger on stderr */
  readonly logger?: Logger;
}

/** Defaults of {@link ReplayOptions}. */
export const REPLAY_DEFAULTS: Readonly<ReplayOptions> = Object.freeze({
  file: SAMPLE_RECORDING,
  speed: 1,
  loop: false,
  venue: 'REPLAY',
  sourceVenue: '',
  format: 'auto',
  tickIntervalMs: 10,
  maxFileBytes: 64 * 1024 * 1024,
});

/** Slowest and fastest speed factors. */
export const MIN_REPLAY_SPEED = 1;
export const MAX_REPLAY_SPEED = 1000;
/** Most ticks emitted per pump period; a denser file falls behind rather than blocking the loop. */
export const MAX_TICKS_PER_PUMP = 50_000;

const US_PER_MS = 1000;

function fail(name: string, expected: string, value: unknown): never {
  throw new TypeError(`replay adapter option ${name} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
}

function resolveOptions(options: Partial<ReplayOptions>): ReplayOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!(key in REPLAY_DEFAULTS) && key !== 'logger') fail(key, `one of ${Object.keys(REPLAY_DEFAULTS).join(', ')} (unknown option)`, key);
  }
  const o = { ...REPLAY_DEFAULTS, ...options };
  if (typeof o.file !== 'string' || o.file.length === 0) fail('file', 'a file path', o.file);
  if (typeof o.speed !== 'number' || !(o.speed >= MIN_REPLAY_SPEED && o.speed <= MAX_REPLAY_SPEED)) {
    fail('speed', `a number from ${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED}`, o.speed);
  }
  if (typeof o.loop !== 'boolean') fail('loop', 'a boolean', o.loop);
  if (typeof o.venue !== 'string' || o.venue.length === 0) fail('venue', 'a non-empty string', o.venue);
  if (typeof o.sourceVenue !== 'string') fail('sourceVenue', 'a string', o.sourceVenue);
  if (o.format !== 'auto' && o.format !== 'ndjson' && o.format !== 'csv') fail('format', '"auto", "ndjson" or "csv"', o.format);
  if (!Number.isSafeInteger(o.tickIntervalMs) || o.tickIntervalMs < 1 || o.tickIntervalMs > 1000)
    fail('tickIntervalMs', 'an integer in 1..1000', o.tickIntervalMs);
  if (!Number.isSafeInteger(o.maxFileBytes) || o.maxFileBytes < 1) fail('maxFileBytes', 'a positive integer', o.maxFileBytes);
  const file = resolveUserPath(o.file);
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    throw new TypeError(`replay adapter option file must be an existing file, got ${describeUserPath(o.file, file)}`);
  }
  if (size > o.maxFileBytes) fail('file', `at most maxFileBytes (${o.maxFileBytes}) bytes`, `${file} (${size} bytes)`);
  return Object.freeze({ ...o, file });
}

/** A {@link FeedAdapter} playing a recording. */
export class ReplayAdapter implements FeedAdapter {
  readonly name = 'replay';
  readonly venue: string;
  readonly options: Readonly<ReplayOptions>;
  private timer: ReturnType<typeof setInterval> | undefined;
  private sink: AdapterSink | undefined;
  private counters = { emitted: 0, loops: 0, skippedLines: 0, finished: 0 };
  /** The recording and where its live playback started: what `history()` serves from. */
  private timeline: ReplayTimeline | undefined;

  /** @throws TypeError naming the option when an option is invalid (including a missing file). */
  constructor(options: Partial<ReplayOptions> = {}) {
    this.options = resolveOptions(options);
    this.venue = this.options.venue;
  }

  /** Ticks emitted, passes completed, lines skipped, and 1 once a non-looping replay has ended. */
  stats(): Readonly<Record<string, number>> {
    return { ...this.counters };
  }

  /**
   * Reads and checks the recording, declares its instruments and starts playing. Rejects when the
   * file holds no usable tick, or two recorded venues share a symbol and no `sourceVenue` is given.
   */
  async start(sink: AdapterSink): Promise<void> {
    if (this.timer !== undefined) throw new Error('replay adapter already started');
    sink.status('connecting');
    const { file } = this.options;
    const format = this.options.format === 'auto' ? recordingFormatOf(file) : this.options.format;
    const recording = parseRecording(await readFile(file, 'utf8'), format);
    this.reportProblems(recording);
    const { instruments, ticks } = this.select(recording);
    this.sink = sink;
    this.counters = { emitted: 0, loops: 0, skippedLines: this.counters.skippedLines, finished: 0 };
    this.timeline = { ticks, instruments, liveStartUs: Date.now() * US_PER_MS, speed: this.options.speed };
    sink.instruments(instruments);
    sink.status('live');
    this.play(sink, ticks, this.timeline.liveStartUs);
  }

  /**
   * The recording's own history (replay-history.ts): bars of any interval rolled up from its trades,
   * moved back so the recording ends where the live playback began; one page. Nothing before the
   * first start.
   */
  async *history(request: AdapterHistoryRequest): AsyncIterable<readonly AdapterBar[]> {
    if (this.timeline === undefined || request.signal.aborted) return;
    const bars = replayBars(this.timeline, request);
    if (bars.length > 0) yield bars;
  }

  /** Stops playing. Safe to call when not started. */
  async stop(): Promise<void> {
    this.halt();
    this.sink?.status('down', 'stopped');
    this.sink = undefined;
  }

  private halt(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Logs each kind of unusable line once, with where it first occurs. */
  private reportProblems(recording: Recording): void {
    let skipped = 0;
    for (const [kind, { count, firstLine }] of recording.problems) {
      skipped += count;
      (this.options.logger ?? createLogger())
        .child({ component: 'replay', file: this.options.file })
        .warn('skipped unusable lines in recording', { problem: kind, count, firstLine });
    }
    this.counters.skippedLines = skipped;
  }

  /** The instruments and ticks to play: filtered by `sourceVenue`, symbols without their venue. */
  private select(recording: Recording): { instruments: AdapterInstrument[]; ticks: readonly RecordedTick[] } {
    const wanted = this.options.sourceVenue;
    const keep = (venue: string): boolean => wanted === '' || venue === wanted;
    const venuesBySymbol = new Map<string, Set<string>>();
    const instruments: AdapterInstrument[] = [];
    for (const instrument of recording.instruments) {
      if (!keep(instrument.venue)) continue;
      let venues = venuesBySymbol.get(instrument.symbol);
      if (venues === undefined) {
        venuesBySymbol.set(instrument.symbol, (venues = new Set()));
        const { symbol, assetClass, priceDecimals, sizeDecimals } = instrument;
        instruments.push({ symbol, assetClass, priceDecimals, sizeDecimals });
      }
      venues.add(instrument.venue);
      if (venues.size > 1) {
        throw new Error(
          `${this.options.file} holds ${instrument.symbol} from several venues (${[...venues].join(', ')}); choose one with the sourceVenue option`,
        );
      }
    }
    const ticks = wanted === '' ? recording.ticks : recording.ticks.filter((t) => keep(t.venue));
    if (ticks.length === 0)
      throw new Error(`no trades or quotes to replay in ${this.options.file}${wanted === '' ? '' : ` from venue ${wanted}`}`);
    return { instruments, ticks };
  }

  /** Starts the pump: each period emits the ticks whose (speed-scaled) time has come. */
  private play(sink: AdapterSink, ticks: readonly RecordedTick[], startWallUs: number): void {
    const { speed, loop } = this.options;
    const firstUs = (ticks[0] as RecordedTick).timeUs;
    let index = 0;
    let latestUs = firstUs;
    let passWallUs = startWallUs;
    let passMonoMs = performance.now();
    const pump = (): void => {
      const reachedUs = firstUs + (performance.now() - passMonoMs) * US_PER_MS * speed;
      let emitted = 0;
      while (index < ticks.length && emitted < MAX_TICKS_PER_PUMP) {
        const tick = ticks[index] as RecordedTick;
        // File order rules: a timestamp that goes backwards plays at once, never reorders.
        const timeUs = Math.max(latestUs, tick.timeUs);
        if (timeUs > reachedUs) break;
        latestUs = timeUs;
        this.emit(sink, tick, Math.round(passWallUs + (timeUs - firstUs) / speed));
        index += 1;
        emitted += 1;
      }
      this.counters.emitted += emitted;
      if (index >= ticks.length) {
        if (!loop) {
          this.halt();
          this.counters.finished = 1;
          sink.status('down', `end of recording: ${this.counters.emitted} ticks replayed`);
          return;
        }
        // The next pass starts on the next period (at most one pass per period).
        this.counters.loops += 1;
        index = 0;
        latestUs = firstUs;
        passMonoMs = performance.now();
        passWallUs = Date.now() * US_PER_MS;
      }
      if (emitted === 0) sink.heartbeat();
    };
    this.timer = setInterval(pump, this.options.tickIntervalMs);
    pump();
  }

  private emit(sink: AdapterSink, tick: RecordedTick, eventTimeUs: number): void {
    if (tick.type === 'trade') {
      sink.trade({ symbol: tick.symbol, price: tick.price, size: tick.size, side: tick.side, tradeId: tick.tradeId, eventTimeUs });
    } else {
      sink.quote({ symbol: tick.symbol, bid: tick.bid, bidSize: tick.bidSize, ask: tick.ask, askSize: tick.askSize, eventTimeUs });
    }
  }
}
