/**
 * Every flag and environment variable of every Tickwire CLI, declared once. Each CLI's table below
 * picks the flags it takes; a flag two CLIs share is the same declaration, so it parses the same
 * (one kind: kinds.ts) and reads the same in both `--help` pages.
 */
import { DEFAULT_DASHBOARD_PORT, DEFAULT_FEED_HOST, DEFAULT_FEED_PORT, DEFAULT_FEED_URL } from '../../lib/net/feed-address';
import { BAR_INTERVAL_LABELS, BAR_INTERVALS, parseBarInterval, type BarInterval } from '../../lib/market/types';
import { MAX_RATE_PER_INSTRUMENT } from '../adapters/simulated';
import { BACKFILL_DEFAULTS, MAX_BACKFILL_DAYS } from '../history/backfill';
import { SUPERVISOR_DEFAULTS } from '../adapters/supervisor';
import { GATEWAY_DEFAULTS } from '../gateway/options';
import type { LogLevel } from '../log';
import {
  DEFAULT_INGEST_PORT,
  DEFAULT_LEASE_MS,
  DEFAULT_LINGER_MS,
  DEFAULT_MAX_UNPUBLISHED,
  DEFAULT_MAX_UPSTREAM_LAG_MS,
  DEFAULT_NATS_BUCKET,
  DEFAULT_NATS_MAX_AGE_MS,
  DEFAULT_NATS_MAX_BYTES,
  DEFAULT_NATS_STREAM,
  DEFAULT_NATS_SUBJECT_ROOT,
} from '../bus/nats/defaults';
import { booleanFlag, listFlag, valueFlag } from './args';
import { durationMs, integer, natsUrl, oneOf, port, positiveNumber, text, UsageError, wsUrl, type ValueKind } from './kinds';
import { MAX_HISTORY_PAGE_BARS } from '../../lib/protocol/constants';

/** The data folder when `--data-dir` is not given, relative to the folder the command ran in. */
export const DEFAULT_DATA_DIR = '.tickwire';

/** Log levels `--log-level` takes. */
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const satisfies readonly LogLevel[];

/** Update kinds `npm run tail` can print. */
export const TAIL_KINDS = ['trade', 'quote', 'bar', 'session'] as const;
/** One of {@link TAIL_KINDS}. */
export type TailKind = (typeof TAIL_KINDS)[number];

/** "1s, 5s, 1m, 5m, 15m, 1h, 4h, 1D, 1W". */
const INTERVAL_LABELS = BAR_INTERVALS.map((i) => BAR_INTERVAL_LABELS[i]).join(', ');

/** A bar interval label (1m) or its seconds (60). */
const barInterval: ValueKind<BarInterval> = {
  parse(value, source) {
    const parsed = parseBarInterval(value.trim());
    if (parsed === undefined) throw new UsageError(`${source} must be one of ${INTERVAL_LABELS}, got "${value}"`);
    return parsed;
  },
};

/** A comma-separated, non-empty subset of {@link TAIL_KINDS}. */
const tailKinds: ValueKind<ReadonlySet<TailKind>> = {
  parse(value, source) {
    const list = value
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k.length > 0);
    if (list.length === 0 || list.some((k) => !(TAIL_KINDS as readonly string[]).includes(k))) {
      throw new UsageError(`${source} takes a comma-separated subset of ${TAIL_KINDS.join(',')}, got "${list.join(',')}"`);
    }
    return new Set(list as TailKind[]);
  },
};

const SUPERVISION = 'Supervision (every adapter)';
const ADAPTERS = 'Adapters';
const GATEWAY = 'Slow consumers (see "Watching conflation" below)';
const HISTORY = 'History (docs/architecture.md "Where history lives")';
const NATS = 'NATS JetStream (docs/scaling.md; every process of a deployment must agree)';

/** Every flag, by what it means (a CLI may list it under another name: `--feed-port` is `feedPort`). */
export const FLAGS = {
  feedPort: valueFlag(port, {
    placeholder: '<n>',
    env: 'FEED_PORT',
    default: DEFAULT_FEED_PORT,
    help: 'feed service port for WebSocket clients and /healthz; 0 = any free port',
  }),
  feedHost: valueFlag(text, {
    placeholder: '<addr>',
    env: 'FEED_HOST',
    default: DEFAULT_FEED_HOST,
    help: 'interface the feed service listens on (0.0.0.0 for all)',
  }),
  feedUrl: listFlag(wsUrl, {
    placeholder: '<url>',
    env: 'FEED_URL',
    split: true,
    help: 'use a feed already running at this ws:// URL; start none. Repeat it or\nseparate with commas: the dashboard fails over between the gateways',
  }),
  dashboardPort: valueFlag(port, {
    placeholder: '<n>',
    env: 'PORT',
    default: DEFAULT_DASHBOARD_PORT,
    help: 'dashboard HTTP port; 0 = any free port',
  }),
  // Not HOSTNAME: shells and containers set it to the machine's name, which would have bound the
  // dashboard to that name's address only (in a container, localhost:3000 refused).
  dashboardHost: valueFlag(text, { placeholder: '<h>', env: 'DASHBOARD_HOST', shows: 'all interfaces', help: 'dashboard interface' }),
  frameAncestors: valueFlag(text, {
    placeholder: '<sources>',
    env: 'EMBED_FRAME_ANCESTORS',
    shows: '*',
    help: 'sites that may frame /embed/... pages',
  }),
  seed: valueFlag(integer({ min: 0 }), { placeholder: '<n>', shows: '1', help: 'simulator seed: same seed, same market' }),
  backfillDays: valueFlag(integer({ min: 0, max: MAX_BACKFILL_DAYS }), {
    placeholder: '<n>',
    shows: String(BACKFILL_DEFAULTS.days),
    help: 'days of 1m history to backfill into the store from adapters that offer it (simulator, exchanges), in the background; 0 = off',
  }),
  instruments: valueFlag(integer({ min: 1 }), {
    placeholder: '<n>',
    shows: '20',
    help: 'simulated instruments (more than the catalogue are synthetic)',
  }),
  rate: valueFlag(positiveNumber({ max: MAX_RATE_PER_INSTRUMENT, unit: 'updates per second' }), {
    placeholder: '<n>',
    shows: '5',
    help: `simulated updates per second per instrument (fractions work; at most ${MAX_RATE_PER_INSTRUMENT})`,
  }),
  noBursts: booleanFlag({ help: "disable the simulator's occasional activity bursts" }),
  dataDir: valueFlag(text, {
    placeholder: '<dir>',
    env: 'TICKWIRE_DATA_DIR',
    shows: DEFAULT_DATA_DIR,
    group: HISTORY,
    help: 'data folder: bars of every interval and the restart state, in <dir>/history.sqlite;\na relative path is relative to the folder you ran npm in',
  }),
  noPersist: booleanFlag({
    env: 'TICKWIRE_NO_PERSIST',
    group: HISTORY,
    help: 'keep history in memory only (nothing written; a restart starts empty);\nan explicit --data-dir wins over it',
  }),
  flushMs: valueFlag(durationMs(1), {
    placeholder: '<ms>',
    shows: String(GATEWAY_DEFAULTS.flushIntervalMs),
    help: 'live batch flush interval',
  }),
  heartbeatMs: valueFlag(durationMs(100), {
    placeholder: '<ms>',
    shows: String(GATEWAY_DEFAULTS.heartbeatIntervalMs),
    help: 'heartbeat interval',
  }),
  allowOrigin: listFlag(text, {
    placeholder: '<o>',
    help: 'browser origin allowed to connect (repeatable; "*" for any).\nDefault: http://localhost:3000 and any localhost / 127.0.0.1 origin',
  }),
  logLevel: valueFlag(oneOf(LOG_LEVELS), {
    placeholder: '<level>',
    env: 'TICKWIRE_LOG_LEVEL',
    shows: 'info',
    help: LOG_LEVELS.join(' | '),
  }),
  // Supervision
  staleAfterMs: valueFlag(durationMs(1), {
    group: SUPERVISION,
    placeholder: '<ms>',
    shows: String(SUPERVISOR_DEFAULTS.staleAfterMs),
    help: 'no data this long from a live adapter -> stale',
  }),
  restartAfterSilentMs: valueFlag(durationMs(0), {
    group: SUPERVISION,
    placeholder: '<ms>',
    shows: String(SUPERVISOR_DEFAULTS.restartAfterSilentMs),
    help: 'no data this long -> restart it; 0 = never',
  }),
  startTimeoutMs: valueFlag(durationMs(1), {
    group: SUPERVISION,
    placeholder: '<ms>',
    shows: String(SUPERVISOR_DEFAULTS.startTimeoutMs),
    help: 'start() taking longer counts as failed',
  }),
  restartMinMs: valueFlag(durationMs(1), {
    group: SUPERVISION,
    placeholder: '<ms>',
    shows: String(SUPERVISOR_DEFAULTS.minRestartDelayMs),
    help: 'smallest restart delay; restart n waits a random time in [min, min(max, min * 2^(n+1))] (docs/adapters.md)',
  }),
  restartMaxMs: valueFlag(durationMs(1), {
    group: SUPERVISION,
    placeholder: '<ms>',
    shows: String(SUPERVISOR_DEFAULTS.maxRestartDelayMs),
    help: 'the largest restart delay',
  }),
  // Slow consumers (gateway)
  softBufferBytes: valueFlag(integer({ min: 1 }), {
    group: GATEWAY,
    placeholder: '<n>',
    shows: String(GATEWAY_DEFAULTS.softBufferLimitBytes),
    help: 'a client whose socket holds more unsent bytes than this\ngets conflated batches (latest quote, bar, session) until it drains',
  }),
  hardBufferBytes: valueFlag(integer({ min: 1 }), {
    group: GATEWAY,
    placeholder: '<n>',
    shows: String(GATEWAY_DEFAULTS.hardBufferLimitBytes),
    help: 'past this many unsent bytes for --hard-limit-grace-ms: close 1013',
  }),
  maxConflatedMs: valueFlag(durationMs(1), {
    group: GATEWAY,
    placeholder: '<ms>',
    shows: String(GATEWAY_DEFAULTS.maxConflatedMs),
    help: 'conflated this long without draining: close 1013',
  }),
  hardLimitGraceMs: valueFlag(durationMs(1), {
    group: GATEWAY,
    placeholder: '<ms>',
    shows: String(GATEWAY_DEFAULTS.hardLimitGraceMs),
    help: 'how long a client may stay past --hard-buffer-bytes',
  }),
  slowCloseMs: valueFlag(durationMs(1), {
    group: GATEWAY,
    placeholder: '<ms>',
    shows: String(GATEWAY_DEFAULTS.slowCloseTimeoutMs),
    help: 'after a 1013, drop the client this much later if it has not read its close',
  }),
  // NATS (scaled deployment)
  nats: listFlag(natsUrl, {
    group: NATS,
    placeholder: '<url>',
    env: 'NATS_URL',
    split: true,
    help: 'NATS server URL, e.g. nats://127.0.0.1:4222 (repeatable, or comma-separated\nin NATS_URL: servers of one cluster)',
  }),
  stream: valueFlag(text, { group: NATS, placeholder: '<name>', shows: DEFAULT_NATS_STREAM, help: 'JetStream stream of the ticks' }),
  subjectRoot: valueFlag(text, {
    group: NATS,
    placeholder: '<s>',
    shows: DEFAULT_NATS_SUBJECT_ROOT,
    help: 'ticks on <s>.tick.<id>, state requests on <s>.state.<id>',
  }),
  bucket: valueFlag(text, {
    group: NATS,
    placeholder: '<name>',
    shows: DEFAULT_NATS_BUCKET,
    help: 'KV bucket: epoch, instruments, status, lease',
  }),
  maxAgeMs: valueFlag(durationMs(1000), {
    group: NATS,
    placeholder: '<ms>',
    shows: String(DEFAULT_NATS_MAX_AGE_MS),
    help: 'how long the stream keeps ticks',
  }),
  maxBytes: valueFlag(integer({ min: 1 }), {
    group: NATS,
    placeholder: '<n>',
    shows: String(DEFAULT_NATS_MAX_BYTES),
    help: 'stream size cap (oldest ticks go first)',
  }),
  leaseMs: valueFlag(durationMs(100), {
    group: NATS,
    placeholder: '<ms>',
    shows: String(DEFAULT_LEASE_MS),
    help: 'ingest lease: a standby takes over after this long without renewal',
  }),
  maxUnpublished: valueFlag(integer({ min: 1 }), {
    group: NATS,
    placeholder: '<n>',
    shows: String(DEFAULT_MAX_UNPUBLISHED),
    help: 'ticks held while NATS is away; past it they are dropped and the epoch changes',
  }),
  ingestPort: valueFlag(port, {
    placeholder: '<n>',
    env: 'INGEST_PORT',
    default: DEFAULT_INGEST_PORT,
    help: "port of the ingest's GET /healthz; 0 = any free port",
  }),
  lingerMs: valueFlag(durationMs(0), {
    group: NATS,
    placeholder: '<ms>',
    shows: String(DEFAULT_LINGER_MS),
    help: 'keep receiving an instrument no client holds for this long',
  }),
  maxUpstreamLagMs: valueFlag(durationMs(100), {
    group: NATS,
    placeholder: '<ms>',
    shows: String(DEFAULT_MAX_UPSTREAM_LAG_MS),
    help: 'a gateway this far behind the stream re-warms and its clients resume',
  }),
  // Adapters (collected in command-line order from the tokens: server/adapters/adapter-args.ts)
  adapter: listFlag(text, {
    group: ADAPTERS,
    placeholder: '<name|path>',
    help: 'feed adapter to run (repeatable; default: simulated). Built in: simulated,\nreplay, binance, coinbase. A path (./my-adapter.ts, /abs/x.mjs, optionally\n#exportName) loads your own adapter module: see docs/adapters.md',
  }),
  adapterOpt: listFlag(text, {
    group: ADAPTERS,
    placeholder: 'k=v',
    help: 'option of the adapter named just before (repeatable); v is JSON if it\nparses as JSON, else a string. E.g. --adapter binance --adapter-opt\nsymbols=btcusdt,ethusdt  |  --adapter replay --adapter-opt speed=10',
  }),
  adapterConfig: listFlag(text, { group: ADAPTERS, placeholder: '<f>', help: 'JSON object of options for the adapter named just before' }),
  symbolMap: listFlag(text, {
    group: ADAPTERS,
    placeholder: 'V:S=N',
    help: "show venue V's symbol S as N, e.g. BINANCE:BTCUSDT=BTC-USDT (repeatable)",
  }),
  // Recorder
  out: valueFlag(text, {
    placeholder: '<file|->',
    help: 'where to write the recording ("-" = stdout); a relative path is relative\nto the folder you ran npm in',
  }),
  seconds: valueFlag(positiveNumber(), {
    placeholder: '<n>',
    shows: 'when every adapter has finished, or Ctrl-C',
    help: 'stop after n seconds',
  }),
  maxTicks: valueFlag(integer({ min: 1 }), { placeholder: '<n>', help: 'stop after n trades and quotes' }),
  // Tail
  tailUrl: listFlag(wsUrl, {
    placeholder: '<url>',
    env: 'FEED_URL',
    split: true,
    shows: DEFAULT_FEED_URL,
    help: 'gateway URL; repeat it or separate with commas to fail over',
  }),
  interval: valueFlag(barInterval, {
    placeholder: '<ivl>',
    shows: 'no bars',
    help: `also stream bars of this interval: ${INTERVAL_LABELS}`,
  }),
  json: booleanFlag({ help: 'use the JSON subprotocol instead of binary frames' }),
  all: booleanFlag({ help: 'subscribe to every instrument (no SYMBOL needed)' }),
  history: valueFlag(integer({ min: 1, max: MAX_HISTORY_PAGE_BARS }), {
    placeholder: '<n>',
    shows: 'none',
    help: `first print the last n bars of --interval of each SYMBOL (1..${MAX_HISTORY_PAGE_BARS}),\nmarked "history":true, then go live`,
  }),
  kinds: valueFlag(tailKinds, {
    placeholder: '<list>',
    shows: 'all four',
    help: "comma-separated kinds to print: trade,quote,bar,session\n(session = the session's open/high/low/last/volume, sent with snapshots)",
  }),
  // Launcher and builds
  rebuild: booleanFlag({ help: 'build the dashboard even if .next looks current' }),
  dev: booleanFlag({ help: 'run "next dev" (hot reload) instead of building and "next start"' }),
  check: booleanFlag({ help: 'only say whether dist/ is current (exit 1 when not)' }),
  ifStale: booleanFlag({ help: 'build only when dist/ is older than a source' }),
} as const;

/** The adapter flags `npm run feed` and `npm run record` share. */
const ADAPTER_FLAGS = {
  adapter: FLAGS.adapter,
  'adapter-opt': FLAGS.adapterOpt,
  'adapter-config': FLAGS.adapterConfig,
  'symbol-map': FLAGS.symbolMap,
} as const;

/** `npm run feed` (server/cli/feed.ts). */
export const FEED_FLAGS = {
  port: FLAGS.feedPort,
  host: FLAGS.feedHost,
  seed: FLAGS.seed,
  instruments: FLAGS.instruments,
  rate: FLAGS.rate,
  'no-bursts': FLAGS.noBursts,
  'backfill-days': FLAGS.backfillDays,
  'flush-ms': FLAGS.flushMs,
  'heartbeat-ms': FLAGS.heartbeatMs,
  'allow-origin': FLAGS.allowOrigin,
  'log-level': FLAGS.logLevel,
  'data-dir': FLAGS.dataDir,
  'no-persist': FLAGS.noPersist,
  ...ADAPTER_FLAGS,
  nats: FLAGS.nats,
  'stale-after-ms': FLAGS.staleAfterMs,
  'restart-after-silent-ms': FLAGS.restartAfterSilentMs,
  'start-timeout-ms': FLAGS.startTimeoutMs,
  'restart-min-ms': FLAGS.restartMinMs,
  'restart-max-ms': FLAGS.restartMaxMs,
  'soft-buffer-bytes': FLAGS.softBufferBytes,
  'hard-buffer-bytes': FLAGS.hardBufferBytes,
  'max-conflated-ms': FLAGS.maxConflatedMs,
  'hard-limit-grace-ms': FLAGS.hardLimitGraceMs,
  'slow-close-ms': FLAGS.slowCloseMs,
} as const;

/** The NATS flags every scaled role takes. */
const NATS_FLAGS = {
  nats: FLAGS.nats,
  stream: FLAGS.stream,
  'subject-root': FLAGS.subjectRoot,
  bucket: FLAGS.bucket,
  'max-age-ms': FLAGS.maxAgeMs,
  'max-bytes': FLAGS.maxBytes,
} as const;

/** `npm run ingest` (server/cli/ingest.ts). */
export const INGEST_FLAGS = {
  port: FLAGS.ingestPort,
  host: FLAGS.feedHost,
  seed: FLAGS.seed,
  instruments: FLAGS.instruments,
  rate: FLAGS.rate,
  'no-bursts': FLAGS.noBursts,
  'log-level': FLAGS.logLevel,
  ...NATS_FLAGS,
  'lease-ms': FLAGS.leaseMs,
  'max-unpublished': FLAGS.maxUnpublished,
  ...ADAPTER_FLAGS,
  'stale-after-ms': FLAGS.staleAfterMs,
  'restart-after-silent-ms': FLAGS.restartAfterSilentMs,
  'start-timeout-ms': FLAGS.startTimeoutMs,
  'restart-min-ms': FLAGS.restartMinMs,
  'restart-max-ms': FLAGS.restartMaxMs,
} as const;

/** `npm run gateway` (server/cli/gateway.ts). */
export const GATEWAY_FLAGS = {
  port: FLAGS.feedPort,
  host: FLAGS.feedHost,
  'flush-ms': FLAGS.flushMs,
  'heartbeat-ms': FLAGS.heartbeatMs,
  'allow-origin': FLAGS.allowOrigin,
  'log-level': FLAGS.logLevel,
  ...NATS_FLAGS,
  'linger-ms': FLAGS.lingerMs,
  'max-upstream-lag-ms': FLAGS.maxUpstreamLagMs,
  'soft-buffer-bytes': FLAGS.softBufferBytes,
  'hard-buffer-bytes': FLAGS.hardBufferBytes,
  'max-conflated-ms': FLAGS.maxConflatedMs,
  'hard-limit-grace-ms': FLAGS.hardLimitGraceMs,
  'slow-close-ms': FLAGS.slowCloseMs,
} as const;

/** `npm start` / `npm run dev` (server/cli/launch.ts). */
export const LAUNCH_FLAGS = {
  port: FLAGS.dashboardPort,
  hostname: FLAGS.dashboardHost,
  'feed-port': FLAGS.feedPort,
  'feed-host': FLAGS.feedHost,
  'feed-url': FLAGS.feedUrl,
  seed: FLAGS.seed,
  instruments: FLAGS.instruments,
  rate: FLAGS.rate,
  'data-dir': FLAGS.dataDir,
  'no-persist': FLAGS.noPersist,
  'allow-origin': FLAGS.allowOrigin,
  'frame-ancestors': FLAGS.frameAncestors,
  rebuild: FLAGS.rebuild,
  dev: FLAGS.dev,
} as const;

/** `npm run record` (server/cli/record.ts). */
export const RECORD_FLAGS = {
  out: FLAGS.out,
  seconds: FLAGS.seconds,
  'max-ticks': FLAGS.maxTicks,
  'log-level': FLAGS.logLevel,
  ...ADAPTER_FLAGS,
} as const;

/** `npm run tail` (server/cli/tail.ts). */
export const TAIL_FLAGS = {
  url: FLAGS.tailUrl,
  interval: FLAGS.interval,
  json: FLAGS.json,
  all: FLAGS.all,
  history: FLAGS.history,
  kinds: FLAGS.kinds,
} as const;

/** `npm run build:embed` (server/cli/build-embed.ts). */
export const BUILD_EMBED_FLAGS = {
  check: FLAGS.check,
  'if-stale': FLAGS.ifStale,
} as const;

/**
 * Every CLI's table by its npm command, for tests and docs.
 * @internal
 */
export const CLI_TABLES = {
  start: LAUNCH_FLAGS,
  feed: FEED_FLAGS,
  ingest: INGEST_FLAGS,
  gateway: GATEWAY_FLAGS,
  record: RECORD_FLAGS,
  tail: TAIL_FLAGS,
  'build:embed': BUILD_EMBED_FLAGS,
} as const;
