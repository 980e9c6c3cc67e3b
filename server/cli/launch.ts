/**
 * `npm start` / `npm run dev`: the feed service (simulator) and the dashboard together.
 *
 * 1. Builds the dashboard when `.next` is missing or older than any source file (skipped in --dev),
 *    and the `<tickwire-chart>` bundle the feed serves (dist/embed/, `npm run build:embed`) when stale.
 * 2. Starts the feed service in this process (unless --feed-url points at one already running).
 * 3. Runs `next start` (or `next dev`) as a child, telling it where the feed is through FEED_PORT /
 *    FEED_URL; the page reads them per request, so no rebuild is needed to move the feed.
 * Ctrl-C (SIGINT) or SIGTERM stops the child, closes the feed (clients get 1001), then exits; if
 * the child dies, the feed is closed too. No process is left behind: the feed runs in this
 * process, and the Next.js processes watch it (exit-with-parent.mjs), so even `kill -9` of the
 * launcher frees both ports within a second or so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { constants as osConstants } from 'node:os';
import { parseFrameAncestors } from '../../lib/embed/frame-ancestors';
import { nextBuildIsCurrent } from '../build-freshness';
import { startFeedService, type FeedService } from '../feed-service';
import { dataDirFlag } from './feed-options';
import { BACKFILL_DEFAULTS } from '../history/backfill';
import { createLogger } from '../log';
import { onShutdownSignals } from '../shutdown-signals';
import { exitUsage, parseCommandLine, type FlagValues } from './args';
import { LAUNCH_FLAGS } from './flag-table';
import { LAUNCH_HELP } from './help';

/** How long the dashboard child gets to exit after SIGTERM before SIGKILL (ms). */
const CHILD_EXIT_GRACE_MS = 5_000;

const root = process.cwd();
const log = createLogger().child({ component: 'launch' });

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
/** Makes every Next.js process stop when this launcher dies, even by kill -9 (exit-with-parent.mjs). */
const exitWithParent = new URL('./exit-with-parent.mjs', import.meta.url).href;

function runNext(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', exitWithParent, nextBin, ...args], {
    cwd: root,
    env: { ...env, TICKWIRE_EXIT_WITH_PARENT: '1' },
    stdio: 'inherit',
  });
}

/** A free TCP port on `host` (for `--port 0`: Next.js is told a real one, so the log names it). */
function freePort(host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? 1);
    else child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  let values: FlagValues<typeof LAUNCH_FLAGS>;
  let dataDir: string | undefined;
  try {
    const parsed = parseCommandLine(LAUNCH_FLAGS, process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(`${LAUNCH_HELP}\n`);
      return;
    }
    values = parsed.values;
    dataDir = dataDirFlag(values);
  } catch (error) {
    exitUsage((error as Error).message);
  }
  const hostname = values.hostname?.trim() || undefined;
  const port = values.port === 0 ? await freePort(hostname) : values.port;
  const feedUrls = values['feed-url'];
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port) };
  if (values['frame-ancestors'] !== undefined) {
    const parsed = parseFrameAncestors(values['frame-ancestors']);
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
  if (feedUrls.length === 0) {
    try {
      feed = await startFeedService({
        port: values['feed-port'],
        host: values['feed-host'],
        simulated: {
          ...(values.seed !== undefined ? { seed: values.seed } : {}),
          ...(values.instruments !== undefined ? { instruments: values.instruments } : {}),
          ...(values.rate !== undefined ? { ratePerInstrument: values.rate } : {}),
        },
        ...(allowOrigins.length > 0 ? { gateway: { allowedOrigins: allowOrigins } } : {}),
        ...(dataDir !== undefined ? { dataDir } : {}),
        // The simulator's 30 days of history, into the store, in the background (docs/adapters.md "History").
        backfillDays: BACKFILL_DEFAULTS.days,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      fail(
        code === 'EADDRINUSE'
          ? `Feed port ${values['feed-port']} is in use (another feed running?). Choose another with --feed-port / FEED_PORT, or use the running one with --feed-url ws://127.0.0.1:${values['feed-port']}.`
          : `Could not start the feed service: ${(error as Error).message}`,
      );
    }
    env.FEED_PORT = String(feed.port);
    delete env.FEED_URL;
  } else {
    env.FEED_URL = feedUrls.join(',');
  }

  const nextArgs = [values.dev ? 'dev' : 'start', '--port', String(port)];
  if (hostname) nextArgs.push('--hostname', hostname);
  const child = runNext(nextArgs, env);
  log.info('dashboard starting', {
    url: `http://localhost:${port}`,
    feed: feedUrls.length > 0 ? feedUrls.join(',') : feed?.url,
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
