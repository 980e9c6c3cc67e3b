/**
 * `npm start` / `npm run dev`: the feed service (simulator) and the dashboard together.
 *
 * 1. Builds the dashboard when `.next` is missing or older than any source file (skipped in --dev),
 *    and the `<tickwire-chart>` bundle the feed serves (dist/embed/, `npm run build:embed`) when stale.
 * 2. Starts the feed service in this process (unless --feed-url points at one already running).
 * 3. Runs `next start` (or `next dev`) as a child, telling it where the feed is through FEED_PORT /
 *    FEED_URL; the page reads them per request, so no rebuild is needed to move the feed.
 * Ctrl-C (SIGINT) or SIGTERM stops the child, closes the feed (clients get 1001), then exits; if
 * the child dies, the feed is closed too. No process is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { parseArgs } from 'node:util';
import { isWebSocketUrl } from '../../lib/net/url';
import { parseFrameAncestors } from '../../lib/embed/frame-ancestors';
import { MAX_RATE_PER_INSTRUMENT } from '../adapters/simulated';
import { nextBuildIsCurrent } from '../build-freshness';
import { startFeedService, type FeedService } from '../feed-service';
import { createLogger } from '../log';
import { onShutdownSignals } from '../shutdown-signals';

const HELP = `Tickwire: feed service + dashboard

Usage: npm start -- [options]        (npm run dev -- [options] for development)

Options:
  --port <n>          dashboard HTTP port (default 3000, env PORT)
  --hostname <h>      dashboard interface (default: all, env DASHBOARD_HOST)
  --feed-port <n>     feed service port (default 8080, env FEED_PORT)
  --feed-host <h>     feed service interface (default 127.0.0.1, env FEED_HOST)
  --feed-url <url>    use a feed already running at this ws:// URL; start none (env FEED_URL)
  --seed <n>          simulator seed (default 1)
  --instruments <n>   simulated instruments (default 20)
  --rate <n>          simulated updates per second per instrument (default 5)
  --allow-origin <o>  another site whose pages may use the feed (repeatable; "*" for any)
  --frame-ancestors <sources>
                      sites that may frame /embed/... pages (default *, env EMBED_FRAME_ANCESTORS)
  --rebuild           build the dashboard even if .next looks current
  --dev               run "next dev" (hot reload) instead of building and "next start"
  -h, --help          show this help

Then open http://localhost:<port>. The page may also be pointed at any feed with ?feed=ws://host:port.`;

/** Simulated updates per second per instrument when --rate is not given. */
const DEFAULT_RATE = 5;

/** How long the dashboard child gets to exit after SIGTERM before SIGKILL (ms). */
const CHILD_EXIT_GRACE_MS = 5_000;

const root = process.cwd();
const log = createLogger().child({ component: 'launch' });

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function intArg(name: string, value: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer ${min}..${max}, got "${value}"`);
  return n;
}

/** --rate: updates per second per instrument, above 0 (fractions work), as the simulator takes. */
function rateArg(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_RATE;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_RATE_PER_INSTRUMENT) fail(`--rate must be a number of updates per second above 0 and at most ${MAX_RATE_PER_INSTRUMENT}, got "${value}"`);
  return n;
}

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');

function runNext(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [nextBin, ...args], { cwd: root, env, stdio: 'inherit' });
}

function waitForExit(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? 1);
    else child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        hostname: { type: 'string' },
        'feed-port': { type: 'string' },
        'feed-host': { type: 'string' },
        'feed-url': { type: 'string' },
        seed: { type: 'string' },
        instruments: { type: 'string' },
        rate: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'frame-ancestors': { type: 'string' },
        rebuild: { type: 'boolean' },
        dev: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n\n${HELP}`);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const port = intArg('port', values.port ?? process.env.PORT, 3000, 1, 65535);
  // Not HOSTNAME: shells and containers set it to the machine's name, which would have bound the
  // dashboard to that name's address only (in a container, localhost:3000 refused).
  const hostname = values.hostname ?? (process.env.DASHBOARD_HOST?.trim() || undefined);
  const feedUrl = values['feed-url'] ?? process.env.FEED_URL;
  if (feedUrl !== undefined && !isWebSocketUrl(feedUrl)) fail(`--feed-url must be a ws:// or wss:// URL with a host, a port up to 65535 and no #, got "${feedUrl}"`);
  const feedPort = intArg('feed-port', values['feed-port'] ?? process.env.FEED_PORT, 8080, 1, 65535);
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port) };
  const frameAncestors = values['frame-ancestors'] ?? process.env.EMBED_FRAME_ANCESTORS;
  if (frameAncestors !== undefined) {
    const parsed = parseFrameAncestors(frameAncestors);
    if (!parsed.ok) fail(`--frame-ancestors: ${parsed.error}`);
    env.EMBED_FRAME_ANCESTORS = parsed.value;
  }
  const allowOrigins = values['allow-origin'];

  if (!values.dev && (values.rebuild || !nextBuildIsCurrent(root))) {
    log.info('building the dashboard (next build)');
    const code = await waitForExit(runNext(['build'], { ...env, NODE_ENV: 'production' }));
    if (code !== 0) fail(`next build failed (exit ${code})`);
  }
  const embed = await import('./build-embed');
  if (!embed.embedBuildIsCurrent('element')) {
    log.info('building the <tickwire-chart> bundle (npm run build:embed)');
    await embed.buildElementBundle();
  }

  let feed: FeedService | undefined;
  if (feedUrl === undefined) {
    try {
      feed = await startFeedService({
        port: feedPort,
        // A blank FEED_HOST is unset, as a blank PORT or FEED_PORT is (intArg).
        host: values['feed-host'] ?? (process.env.FEED_HOST?.trim() || '127.0.0.1'),
        simulated: {
          seed: intArg('seed', values.seed, 1, 0),
          instruments: intArg('instruments', values.instruments, 20, 1),
          ratePerInstrument: rateArg(values.rate),
        },
        ...(allowOrigins ? { gateway: { allowedOrigins: allowOrigins } } : {}),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      fail(
        code === 'EADDRINUSE'
          ? `Feed port ${feedPort} is in use (another feed running?). Choose another with --feed-port / FEED_PORT, or use the running one with --feed-url ws://127.0.0.1:${feedPort}.`
          : `Could not start the feed service: ${(error as Error).message}`,
      );
    }
    env.FEED_PORT = String(feed.port);
    delete env.FEED_URL;
  } else {
    env.FEED_URL = feedUrl;
  }

  const nextArgs = [values.dev ? 'dev' : 'start', '--port', String(port)];
  if (hostname) nextArgs.push('--hostname', hostname);
  const child = runNext(nextArgs, env);
  log.info('dashboard starting', {
    url: `http://localhost:${port}`,
    feed: feedUrl ?? feed?.url,
    mode: values.dev ? 'dev' : 'production',
  });

  let stopping: Promise<void> | undefined;
  const stop = (reason: string, exitCode: number): Promise<void> =>
    (stopping ??= (async () => {
      log.info('stopping', { reason });
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_EXIT_GRACE_MS);
        await waitForExit(child);
        clearTimeout(timer);
      }
      await feed?.close();
      process.exit(exitCode);
    })());

  // A second Ctrl-C while stopping (the dashboard or a feed client slow to let go) means "now":
  // the dashboard is killed and the process exits 130 (143 for SIGTERM), as the feed CLI does.
  onShutdownSignals({
    first: (signal) => void stop(signal, 0),
    again: (signal) => {
      log.warn('stopping now', { reason: `second ${signal}` });
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      process.exit(128 + osConstants.signals[signal]);
    },
  });
  child.once('exit', (code, signal) => void stop(`dashboard exited (${signal ?? code})`, code ?? 0));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
