/**
 * Feed service process for bench/fanout.ts (forked with IPC). Runs the simulator at the asked rate and
 * answers { type: 'stats' } with its own CPU time and RSS, so the load generator's work is not counted.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Session as InspectorSession } from 'node:inspector/promises';
import { startFeedService } from '../server/feed-service';
import { silentLogger } from '../server/log';
import { watchStalls } from './loop-stalls';

const [instruments = '100', rate = '200', flushMs = '25', allocProfile = '', dataDir = ''] = process.argv.slice(2);
const service = await startFeedService({
  // With a data folder, every changed bar is written to the history store (bench/fanout.ts --persist).
  ...(dataDir ? { dataDir } : {}),
  port: 0,
  logger: silentLogger,
  simulated: { seed: 42, instruments: Number(instruments), ratePerInstrument: Number(rate), bursts: false },
  gateway: { flushIntervalMs: Number(flushMs), maxSubscriptionsPerConnection: 10_000 },
});

// With a file name, V8's sampling heap profiler records every allocation of the measured window,
// garbage included (what the young generation has to sweep), and writes a .heapprofile there.
const inspector = allocProfile ? new InspectorSession() : undefined;
inspector?.connect();

/**
 * Event-loop sampling interval (ms). The histogram records the time between samples, so the
 * lateness reported is that minus this.
 */
const LOOP_SAMPLE_MS = 10;
// How late the event loop ran timers over the window: a stall in this process shows as its max.
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
const stalls = watchStalls();
let mark = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
process.on('message', async (msg: { type: string; final?: boolean }) => {
  if (msg.type === 'mark') {
    await inspector?.post('HeapProfiler.startSampling', {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    mark = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
    loopDelay.reset();
    loopDelay.enable();
    stalls.reset();
    process.send?.({ type: 'marked' });
  } else if (msg.type === 'stats') {
    if (inspector && msg.final) {
      const { profile } = await inspector.post('HeapProfiler.stopSampling');
      writeFileSync(allocProfile, JSON.stringify(profile));
    }
    const cpu = process.cpuUsage(mark.cpu);
    const wallUs = Number(process.hrtime.bigint() - mark.at) / 1000;
    const health = service.health();
    process.send?.({
      type: 'stats',
      cpuCores: (cpu.user + cpu.system) / wallUs,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      stalls: stalls.stalls(),
      loopDelayMs: [50, 99, 100].map((p) => Math.max(0, (p === 100 ? loopDelay.max : loopDelay.percentile(p)) / 1e6 - LOOP_SAMPLE_MS)),
      ticksAccepted: health.normaliser.accepted,
      gateway: health.gateway,
    });
  } else if (msg.type === 'stop') {
    void service.close().then(() => process.exit(0));
  }
});
process.send?.({ type: 'ready', url: service.url, symbols: service.bus.instruments().map((i) => i.symbol) });
