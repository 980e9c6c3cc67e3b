/**
 * `npm run bench:browser`: how the dashboard holds up in real Chromium under a heavy feed.
 *
 * Starts the real feed service (simulator, default 100 instruments x 200 updates/s = 20,000
 * updates/s, no bursts) and the built dashboard (`next start`), opens the page in Chromium, then
 * for the run measures in the page:
 *  - main-thread frame time: deltas between requestAnimationFrame callbacks (p50/p95/p99/max).
 *    The page is served to the bench cross-origin isolated (COOP/COEP headers added to the document
 *    response by the bench, not by the app), so its clock is precise to 5 µs: otherwise Chromium
 *    coarsens it to 100 µs and a perfect 16.67 ms vsync reads as 16.6, 16.7 or 16.8 ms;
 *  - long tasks (> 50 ms) from PerformanceObserver('longtask'), with when each began;
 *  - update-to-screen lag: feed `receiveTimeUs` of each live update to the animation frame that
 *    applied it (the store's lag probe, `window.__tickwireLag`; same machine, same clock);
 *  - JS heap used at start and end, after a forced GC each time (CDP Runtime.getHeapUsage); runs of
 *    2 minutes or more also print each minute's heap floor (lowest of readings every 2 s, no forced GC);
 *  - updates/s the browser received (client stats) and whether the gateway had to conflate.
 *
 * Options: --instruments N  --rate N (per instrument)  --seconds N (default 20)
 *          --minutes N (soak; overrides --seconds)  --symbol S  --interval 1s|5s|1m...
 *          --trace FILE   also record a Chromium trace of the measured window (open it in the
 *                         DevTools Performance panel; tracing itself slows the page)
 *          --cpu-profile FILE  also record a JS CPU profile of the page (.cpuprofile, for DevTools)
 *          --alloc-profile FILE  also record the page's sampled allocations over the window, garbage
 *                         included (.heapprofile, for the DevTools Memory panel)
 *          --style CSS    inject extra CSS before measuring, to test what a part of the page costs
 *                         (e.g. --style '.panel-tape { display: none }')
 */
import { parseArgs } from 'node:util';
import { chromium, type CDPSession } from '@playwright/test';
import { existsSync, writeFileSync } from 'node:fs';
import { buildIsCurrent } from '../tests/e2e/support/build-state';
import { buildDashboard, freePort, startDashboard, startFeed, stopProcess } from '../tests/e2e/support/processes';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // The bench fulfils the document itself (to add the isolation headers below); Chromium then no
  // longer knows it came from 127.0.0.1 and would block the page's WebSocket to the local feed.
  '--disable-features=LocalNetworkAccessChecks',
];
/** Trace categories for `--trace`: the Performance panel's timeline plus V8 GC and paint detail. */
const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'v8',
  'v8.execute',
  'blink',
  'cc',
  'gpu',
  'viz',
  'toplevel',
];
/** Mean bytes between allocation samples for --alloc-profile (V8's default is 32 KiB). */
const ALLOC_SAMPLE_BYTES = 16 * 1024;

/** A frame delta longer than this many display intervals missed at least one vsync. */
const MISSED_FRAME_FACTOR = 1.5;
/** The report gives the start time of at most this many long tasks. */
const LONG_TASK_TIMES_SHOWN = 20;
/** Long-task threshold the browser uses (ms), quoted in the table. */
const LONG_TASK_MS = 50;
/**
 * Headers that make the bench's page cross-origin isolated, for a 5 µs clock instead of 100 µs.
 * `credentialless` still lets the page load anything it could load before without credentials; the
 * WebSocket to the feed is not subject to COEP at all.
 */
const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'credentialless' };
/**
 * How often the bench reads the page's JS heap during the run (ms). Without a forced GC (which would
 * itself make a long task), so each minute's lowest reading, the heap just after a collection, is
 * the figure: it shows whether the live heap keeps growing over a soak.
 */
const HEAP_POLL_MS = 2_000;
/** Runs at least this long print the heap floor for every minute. */
const HEAP_TIMELINE_MIN_MS = 120_000;
/** Warm-up after the page is live, before measuring (ms): snapshots and first renders settle. */
const WARM_UP_MS = 3_000;

interface PageFigures {
  frames: number[];
  longTasks: number[];
  /** When each long task began, ms into the measured window (same order as `longTasks`). */
  longTaskStarts: number[];
  /** Animation frames with a long task (blocking time > 0): length, blocking and rendering parts, scripts (ms). */
  longFrames: {
    duration: number;
    blocking: number;
    render: number;
    scripts: { invoker: string; fn: string; url: string; duration: number }[];
  }[];
  /** Lag percentiles p50, p99, max over the whole run (ms, 1 ms resolution). */
  lag: number[];
  lagCount: number;
  updatesPerSec: number;
  messagesPerSec: number;
  bytesPerSec: number;
  rows: number;
  isolated: boolean;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

function fmt(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** Main-thread time by kind (s), cumulative, from CDP Performance.getMetrics. */
async function mainThreadSeconds(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const pick = ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration'];
  return Object.fromEntries(metrics.filter((m) => pick.includes(m.name)).map((m) => [m.name, m.value]));
}

/**
 * Waits out the measured window, reading the JS heap every {@link HEAP_POLL_MS}; returns the lowest
 * reading of each whole minute (MiB). A partial last minute is left out: a few readings need not
 * include one just after a collection.
 */
async function heapFloorByMinute(cdp: CDPSession, durationMs: number): Promise<number[]> {
  const floors: number[] = [];
  const started = Date.now();
  for (let elapsed = 0; elapsed < durationMs; elapsed = Date.now() - started) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(HEAP_POLL_MS, durationMs - elapsed)));
    const minute = Math.floor((Date.now() - started) / 60_000);
    if (minute >= Math.floor(durationMs / 60_000)) continue;
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    floors[minute] = Math.min(floors[minute] ?? Infinity, usedSize / (1024 * 1024));
  }
  return floors;
}

async function heapUsedMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize / (1024 * 1024);
}

/*
 * In-page scripts are strings: tsx compiles functions with a `__name` helper that does not exist
 * in the page, so functions cannot be passed to page.evaluate from here.
 */

/** Starts frame and long-task recording in the page and resets the lag probe. */
const START_RECORDING = `(() => {
  const bench = { frames: [], longTasks: [], longTaskStarts: [], longFrames: [], stop: false, startedAt: performance.now() };
  window.__bench = bench;
  let last = 0;
  const loop = (t) => {
    bench.frames.push(t - last);
    last = t;
    if (!bench.stop) requestAnimationFrame(loop);
  };
  requestAnimationFrame((t) => { last = t; requestAnimationFrame(loop); });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      bench.longTasks.push(entry.duration);
      bench.longTaskStarts.push(entry.startTime - bench.startedAt);
    }
  }).observe({ type: 'longtask' });
  // Long animation frames say what ran in a long task: each script's invoker and duration.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // blockingDuration: the part of its long tasks past 50 ms each; 0 = nothing blocked input.
      if (!(entry.blockingDuration > 0)) continue;
      bench.longFrames.push({
        duration: entry.duration,
        blocking: entry.blockingDuration,
        render: entry.duration - (entry.renderStart ? entry.renderStart - entry.startTime : entry.duration),
        scripts: entry.scripts.map((s) => ({ invoker: s.invoker, fn: s.sourceFunctionName, url: s.sourceURL.split('/').pop(), duration: s.duration })),
      });
    }
  }).observe({ type: 'long-animation-frame' });
  window.__tickwireLag && window.__tickwireLag.reset();
})()`;

/** Stops recording and returns {@link PageFigures}. */
const STOP_RECORDING = `(() => {
  const bench = window.__bench;
  bench.stop = true;
  const state = window.__tickwireStore && window.__tickwireStore.getState();
  return {
    frames: bench.frames,
    longTasks: bench.longTasks,
    longTaskStarts: bench.longTaskStarts,
    longFrames: bench.longFrames,
    lag: window.__tickwireLag ? [50, 99, 100].map((p) => window.__tickwireLag.percentile(p)) : [],
    lagCount: window.__tickwireLag ? window.__tickwireLag.count() : 0,
    updatesPerSec: state ? state.stats.updatesPerSec : 0,
    messagesPerSec: state ? state.stats.messagesPerSec : 0,
    bytesPerSec: state ? state.stats.bytesPerSec : 0,
    rows: state ? state.instrumentIds.length : 0,
    isolated: self.crossOriginIsolated === true,
  };
})()`;

const IS_CONNECTED = `window.__tickwireStore && window.__tickwireStore.getState().connection.state === 'connected'`;
const rowsAtLeast = (n: number): string => `window.__tickwireStore && window.__tickwireStore.getState().instrumentIds.length >= ${n}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      instruments: { type: 'string', default: '100' },
      rate: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '20' },
      minutes: { type: 'string' },
      symbol: { type: 'string', default: 'BTC-USD' },
      interval: { type: 'string', default: '1s' },
      trace: { type: 'string' },
      style: { type: 'string' },
      'cpu-profile': { type: 'string' },
      'alloc-profile': { type: 'string' },
    },
    strict: true,
  });
  const instruments = Number(values.instruments);
  const rate = Number(values.rate);
  const durationMs = values.minutes ? Number(values.minutes) * 60_000 : Number(values.seconds) * 1000;
  for (const [name, n] of [
    ['instruments', instruments],
    ['rate', rate],
    ['duration', durationMs],
  ] as const) {
    if (!Number.isFinite(n) || n <= 0) throw new TypeError(`--${name} must be a positive number`);
  }

  if (!buildIsCurrent()) await buildDashboard();
  const feed = await startFeed({ port: await freePort(), instruments, rate, bursts: false, seed: 1 });
  const dashboardPort = await freePort();
  const dashboard = await startDashboard(dashboardPort, { FEED_URL: feed.url });
  const executablePath = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const url = `http://127.0.0.1:${dashboardPort}/?symbol=${encodeURIComponent(values.symbol)}&interval=${values.interval}&bench=1`;
    // Only the document gets the isolation headers; every other request goes out untouched.
    await page.route(
      (u) => u.pathname === '/',
      async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), ...ISOLATION_HEADERS } });
      },
    );
    await page.goto(url);
    await page.waitForFunction(IS_CONNECTED, null, { timeout: 30_000 });
    await page.waitForFunction(rowsAtLeast(instruments), null, { timeout: 30_000 });
    if (values.style) await page.addStyleTag({ content: values.style });
    await page.waitForTimeout(WARM_UP_MS);
    const cdp = await page.context().newCDPSession(page);
    const heapStart = await heapUsedMb(cdp);
    await cdp.send('Performance.enable');
    const busyStart = await mainThreadSeconds(cdp);
    await page.evaluate(START_RECORDING);
    if (values.trace) await browser.startTracing(page, { path: values.trace, categories: TRACE_CATEGORIES });
    if (values['cpu-profile']) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    if (values['alloc-profile']) {
      await cdp.send('HeapProfiler.enable');
      // Every allocation counts, including what a scavenge or mark-compact frees before the end.
      await cdp.send('HeapProfiler.startSampling', {
        samplingInterval: ALLOC_SAMPLE_BYTES,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    }
    process.stderr.write(`measuring for ${durationMs / 1000} s at ${instruments} x ${rate}/s = ${instruments * rate} updates/s...\n`);
    const heapFloors = await heapFloorByMinute(cdp, durationMs);
    const figures = (await page.evaluate(STOP_RECORDING)) as PageFigures;
    if (values.trace) await browser.stopTracing();
    if (values['cpu-profile']) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(values['cpu-profile'], JSON.stringify(profile));
    }
    if (values['alloc-profile']) {
      const { profile } = await cdp.send('HeapProfiler.stopSampling');
      writeFileSync(values['alloc-profile'], JSON.stringify(profile));
    }
    const busyEnd = await mainThreadSeconds(cdp);
    const busyShare = (name: string): string => `${fmt((((busyEnd[name] ?? 0) - (busyStart[name] ?? 0)) * 1000 * 100) / durationMs, 0)}%`;
    const heapEnd = await heapUsedMb(cdp);
    const health = (await (await fetch(`http://127.0.0.1:${feed.port}/healthz`)).json()) as {
      gateway?: Record<string, unknown>;
      conflatingClients?: number;
    };

    const frames = figures.frames.slice().sort((a, b) => a - b);
    // The display's frame interval is the median delta (16.67 ms at 60 Hz); a delta past 1.5 of
    // them means at least one vsync went by without a frame.
    const vsync = percentile(frames, 50);
    const missed = frames.filter((f) => f > MISSED_FRAME_FACTOR * vsync).length;
    const [lag50 = NaN, lag99 = NaN, lagMax = NaN] = figures.lag;
    const longTasks = figures.longTasks;
    const rows: [string, string][] = [
      ['feed load', `${instruments} instruments x ${rate}/s = ${instruments * rate} updates/s, ${durationMs / 1000} s`],
      [
        'received by browser',
        `${fmt(figures.updatesPerSec, 0)} updates/s in ${fmt(figures.messagesPerSec, 0)} msgs/s, ${fmt(figures.bytesPerSec / 1024, 0)} KiB/s`,
      ],
      ['watchlist rows', String(figures.rows)],
      [
        'frames',
        `${frames.length} (${fmt(frames.length / (durationMs / 1000), 1)} fps; page clock ${figures.isolated ? '5 µs' : '100 µs, not isolated'})`,
      ],
      [
        'frame time p50 / p95 / p99 / max (ms)',
        `${fmt(percentile(frames, 50), 2)} / ${fmt(percentile(frames, 95), 2)} / ${fmt(percentile(frames, 99), 2)} / ${fmt(frames[frames.length - 1] ?? NaN, 2)}`,
      ],
      [
        `frames that missed a vsync (> ${fmt(MISSED_FRAME_FACTOR * vsync, 1)} ms)`,
        `${missed} (${fmt((missed * 100) / Math.max(1, frames.length), 2)}%)`,
      ],
      [
        'main thread busy: all / script / style / layout',
        `${busyShare('TaskDuration')} / ${busyShare('ScriptDuration')} / ${busyShare('RecalcStyleDuration')} / ${busyShare('LayoutDuration')}`,
      ],
      [
        `long tasks > ${LONG_TASK_MS} ms`,
        `${longTasks.length}${
          longTasks.length
            ? ` (max ${fmt(Math.max(...longTasks), 0)} ms, total ${fmt(
                longTasks.reduce((a, b) => a + b, 0),
                0,
              )} ms; at ${figures.longTaskStarts
                .slice(0, LONG_TASK_TIMES_SHOWN)
                .map((t) => `${fmt(t / 1000, 1)} s`)
                .join(', ')}${longTasks.length > LONG_TASK_TIMES_SHOWN ? ', ...' : ''})`
            : ''
        }`,
      ],
      ['update-to-frame lag p50 / p99 / max (ms)', `${fmt(lag50, 0)} / ${fmt(lag99, 0)} / ${fmt(lagMax, 0)} (${figures.lagCount} updates)`],
      [
        'JS heap after GC, start -> end (MiB)',
        `${fmt(heapStart)} -> ${fmt(heapEnd)} (${heapEnd >= heapStart ? '+' : ''}${fmt(heapEnd - heapStart)})`,
      ],
      ['gateway conflating clients at end', String(health.conflatingClients ?? 'n/a')],
    ];
    if (durationMs >= HEAP_TIMELINE_MIN_MS) {
      rows.push(['JS heap floor by minute, no forced GC (MiB)', heapFloors.map((f) => fmt(f)).join(' ')]);
    }
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\nTickwire dashboard in Chromium (${await browser.version()})\n`);
    for (const [key, value] of rows) process.stdout.write(`  ${key.padEnd(width)}  ${value}\n`);
    if (figures.longFrames.length > 0) {
      process.stdout.write(`\nanimation frames with a task over ${LONG_TASK_MS} ms (what ran in them):\n`);
      for (const frame of figures.longFrames.slice(0, 10)) {
        const scripts = frame.scripts.map((s) => `${s.invoker || s.fn} ${fmt(s.duration, 0)} ms`).join(', ');
        process.stdout.write(
          `  ${fmt(frame.duration, 0)} ms (blocking ${fmt(frame.blocking, 0)} ms, rendering ${fmt(frame.render, 0)} ms)${scripts ? `: ${scripts}` : ''}\n`,
        );
      }
    }
  } finally {
    await browser.close();
    await stopProcess(dashboard);
    await feed.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
