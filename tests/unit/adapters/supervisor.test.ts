import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { currentFaultTarget, installAdapterFaultTrap, runInAdapterScope } from '../../../server/adapters/fault-scope';
import { AdapterSupervisor, type SupervisorOptions } from '../../../server/adapters/supervisor';
import type { AdapterSink, FeedAdapter } from '../../../server/adapters/types';
import { createLogger } from '../../../server/log';
import { normalisedStream } from './support';

const silent = createLogger({ level: 'silent' });

/** An adapter whose behaviour each test scripts. */
class ScriptedAdapter implements FeedAdapter {
  readonly name = 'scripted';
  sink: AdapterSink | undefined;
  starts = 0;
  stops = 0;
  constructor(
    readonly venue = 'V',
    private readonly script: { start?: (n: number) => Promise<void> | void; stop?: () => Promise<void> | void } = {},
  ) {}
  async start(sink: AdapterSink): Promise<void> {
    this.starts += 1;
    this.sink = sink;
    sink.instruments([{ symbol: 'X', priceDecimals: 2, sizeDecimals: 0 }]);
    await this.script.start?.(this.starts);
  }
  async stop(): Promise<void> {
    this.stops += 1;
    await this.script.stop?.();
  }
  tick(): void {
    this.sink?.quote({ symbol: 'X', bid: '1.00', bidSize: 1, ask: '1.01', askSize: 1 });
  }
}

const OPTIONS: Partial<SupervisorOptions> = {
  minRestartDelayMs: 1000,
  maxRestartDelayMs: 60_000,
  startTimeoutMs: 5000,
  stopTimeoutMs: 1000,
  staleAfterMs: 3000,
  restartAfterSilentMs: 10_000,
  stableAfterMs: 20_000,
  checkIntervalMs: 100,
  random: () => 1, // the top of each jitter window: delays 2 s, 4 s, 8 s, ... up to 60 s
};

function supervise(adapter: FeedAdapter, options: Partial<SupervisorOptions> = {}, recreate?: () => FeedAdapter) {
  const stream = normalisedStream();
  const supervisor = new AdapterSupervisor({ adapter, recreate }, stream.normaliser, silent, { ...OPTIONS, ...options });
  return { ...stream, supervisor, state: () => stream.venueState(adapter.venue) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('AdapterSupervisor', () => {
  describe('constructor', () => {
    it('names a bad option and refuses what is not an adapter', () => {
      const { normaliser } = normalisedStream();
      expect(() => new AdapterSupervisor({ adapter: new ScriptedAdapter() }, normaliser, silent, { staleAfterMs: 0 })).toThrow(
        /staleAfterMs/,
      );
      expect(
        () => new AdapterSupervisor({ adapter: new ScriptedAdapter() }, normaliser, silent, { minRestartDelayMs: 5, maxRestartDelayMs: 1 }),
      ).toThrow(/maxRestartDelayMs/);
      expect(() => new AdapterSupervisor({ adapter: {} as FeedAdapter }, normaliser, silent)).toThrow(/FeedAdapter/);
    });
  });

  describe('#start', () => {
    it('shows connecting while starting and live once start resolves', async () => {
      let release!: () => void;
      const adapter = new ScriptedAdapter('V', { start: () => new Promise<void>((resolve) => (release = resolve)) });
      const { supervisor, state } = supervise(adapter);
      const started = supervisor.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(state()).toEqual({ venue: 'V', state: 'connecting', reason: '' });
      release();
      await started;
      expect(state()).toEqual({ venue: 'V', state: 'live', reason: '' });
      expect(supervisor.phase).toBe('running');
      await supervisor.stop();
    });

    it('passes on the states the adapter reports itself', async () => {
      const adapter = new ScriptedAdapter();
      const { supervisor, state } = supervise(adapter);
      await supervisor.start();
      adapter.sink?.status('down', 'venue maintenance');
      expect(state()).toEqual({ venue: 'V', state: 'down', reason: 'venue maintenance' });
      adapter.sink?.status('live', 'symbol XYZ unknown to the venue');
      expect(state()).toEqual({ venue: 'V', state: 'live', reason: 'symbol XYZ unknown to the venue' });
      adapter.sink?.status('live');
      expect(state()).toEqual({ venue: 'V', state: 'live', reason: '' });
      await supervisor.stop();
    });
  });

  describe('#report', () => {
    it('reports a stats() that throws as statsError instead of silently leaving stats out', async () => {
      const adapter = Object.assign(new ScriptedAdapter(), {
        stats: (): Record<string, number> => {
          throw new Error('counter map not ready');
        },
      });
      const { supervisor } = supervise(adapter);
      await supervisor.start();
      const report = supervisor.report();
      expect(report.stats).toBeUndefined();
      expect(report.statsError).toBe('stats() threw: counter map not ready');
      await supervisor.stop();
    });

    it('has no statsError when stats() works', async () => {
      const adapter = Object.assign(new ScriptedAdapter(), { stats: () => ({ reconnects: 2 }) });
      const { supervisor } = supervise(adapter);
      await supervisor.start();
      expect(supervisor.report()).toMatchObject({ stats: { reconnects: 2 } });
      expect(supervisor.report()).not.toHaveProperty('statsError');
      await supervisor.stop();
    });
  });

  describe('restarts', () => {
    it('waits uniformly between min and min(max, min * 2^(n+1)) before restart n (full jitter above a floor)', async () => {
      const draws = [0, 0.5, 0.2, 0.3, 0.2, 0.1, 0.9];
      let draw = 0;
      const adapter = new ScriptedAdapter('V', {
        start: () => {
          throw new Error('boom');
        },
      });
      const { supervisor } = supervise(adapter, { random: () => draws[draw++ % draws.length] as number });
      await supervisor.start();
      const startTimes: number[] = [];
      let last = adapter.starts;
      for (let ms = 0; ms <= 200_000; ms += 100) {
        await vi.advanceTimersByTimeAsync(100);
        if (adapter.starts !== last) {
          startTimes.push(ms + 100);
          last = adapter.starts;
        }
      }
      const delays = startTimes.map((t, i) => t - (startTimes[i - 1] ?? 0));
      // 1000 + r * (ceiling - 1000), ceilings 2, 4, 8, 16, 32, 60, 60 s.
      expect(delays.slice(0, 7)).toEqual([1000, 2500, 2400, 5500, 7200, 6900, 54_100]);
      await supervisor.stop();
    });

    it('restarts an adapter whose start throws, with exponential backoff capped at the maximum', async () => {
      const adapter = new ScriptedAdapter('V', {
        start: () => {
          throw new Error('boom');
        },
      });
      const { supervisor, state } = supervise(adapter);
      await supervisor.start();
      expect(state()).toEqual({ venue: 'V', state: 'down', reason: 'failed to start: boom; restarting in 2 s' });
      const startTimes: number[] = [];
      let last = adapter.starts;
      for (let ms = 0; ms <= 300_000; ms += 500) {
        await vi.advanceTimersByTimeAsync(500);
        if (adapter.starts !== last) {
          startTimes.push(ms + 500);
          last = adapter.starts;
        }
      }
      const delays = startTimes.map((t, i) => t - (startTimes[i - 1] ?? 0));
      expect(delays.slice(0, 7)).toEqual([2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
      expect(adapter.stops).toBe(adapter.starts); // every failed start was cleaned up
      expect(supervisor.report()).toMatchObject({ phase: 'waiting', lastError: 'boom', restarts: adapter.starts - 1 });
      await supervisor.stop();
    });

    it('counts a start that never settles as failed after startTimeoutMs, and abandons a stop that hangs', async () => {
      const adapter = new ScriptedAdapter('V', { start: () => new Promise<void>(() => {}), stop: () => new Promise<void>(() => {}) });
      const { supervisor, state } = supervise(adapter);
      const started = supervisor.start();
      await vi.advanceTimersByTimeAsync(5000);
      await vi.advanceTimersByTimeAsync(1000);
      await started;
      expect(state()?.state).toBe('down');
      expect(state()?.reason).toMatch(/^failed to start: start did not finish within 5000 ms; restarting in 2 s$/);
      await vi.advanceTimersByTimeAsync(2000);
      expect(adapter.starts).toBe(2);
      const stopped = supervisor.stop();
      await vi.advanceTimersByTimeAsync(1000);
      await stopped;
      expect(state()).toEqual({ venue: 'V', state: 'down', reason: 'stopped' });
    });

    it('counts a factory that never delivers the next instance as a failed start after startTimeoutMs, and keeps retrying', async () => {
      const first = new ScriptedAdapter('V', {
        start: () => {
          throw new Error('boom');
        },
      });
      let calls = 0;
      const recreate = (() => {
        calls += 1;
        return new Promise<FeedAdapter>(() => {});
      }) as unknown as () => FeedAdapter;
      const { supervisor, state } = supervise(first, {}, recreate);
      await supervisor.start();
      await vi.advanceTimersByTimeAsync(2000); // the first restart asks the factory, which hangs
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(5000);
      expect(state()?.state).toBe('down');
      expect(state()?.reason).toMatch(/^could not create the adapter: .*5000 ms; restarting in 4 s$/);
      await vi.advanceTimersByTimeAsync(4000);
      expect(calls).toBe(2);
      await supervisor.stop();
    });

    it('shows a silent live adapter as stale, restarts it later, and shows it live when data flows again', async () => {
      const adapter = new ScriptedAdapter();
      const { supervisor, state, ticks, normaliser } = supervise(adapter);
      await supervisor.start();
      adapter.tick();
      const lastTick = new Date().toISOString().slice(11, 19);
      await vi.advanceTimersByTimeAsync(2900);
      expect(state()?.state).toBe('live');
      await vi.advanceTimersByTimeAsync(200);
      expect(state()).toEqual({ venue: 'V', state: 'stale', reason: `no data since ${lastTick} UTC` });
      adapter.tick();
      expect(state()?.state).toBe('live');
      await vi.advanceTimersByTimeAsync(10_100);
      expect(state()?.reason).toBe('no data for 10 s; restarting in 2 s');
      await vi.advanceTimersByTimeAsync(2000);
      expect(adapter.starts).toBe(2);
      expect(state()?.state).toBe('live');
      adapter.tick();
      normaliser.flush();
      expect(ticks.map((t) => t.seq)).toEqual([1, 2, 3]);
      await supervisor.stop();
    });

    it('keeps a silent adapter stale but running when restartAfterSilentMs is 0, publishing stale once', async () => {
      const adapter = new ScriptedAdapter();
      const { supervisor, state, statuses } = supervise(adapter, { restartAfterSilentMs: 0 });
      await supervisor.start();
      const started = new Date().toISOString().slice(11, 19);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(state()).toEqual({ venue: 'V', state: 'stale', reason: `no data since ${started} UTC` });
      expect(statuses.filter((list) => list.some((v) => v.state === 'stale'))).toHaveLength(1);
      expect(adapter.starts).toBe(1);
      await supervisor.stop();
    });

    it('treats heartbeats as signs of life', async () => {
      const adapter = new ScriptedAdapter();
      const { supervisor, state } = supervise(adapter);
      await supervisor.start();
      for (let i = 0; i < 20; i++) {
        await vi.advanceTimersByTimeAsync(1000);
        adapter.sink?.heartbeat();
      }
      expect(state()?.state).toBe('live');
      await supervisor.stop();
    });

    it('restarts on a fault with a fresh instance and a fresh sink; the old sink goes quiet', async () => {
      const instances: ScriptedAdapter[] = [];
      const make = () => {
        const a = new ScriptedAdapter();
        instances.push(a);
        return a;
      };
      const first = make();
      const { supervisor, state, ticks, normaliser } = supervise(first, {}, make);
      await supervisor.start();
      first.tick();
      supervisor.fault(new Error('timer callback blew up'));
      await vi.advanceTimersByTimeAsync(0);
      expect(state()).toEqual({ venue: 'V', state: 'down', reason: 'crashed: timer callback blew up; restarting in 2 s' });
      expect(first.stops).toBe(1);
      await vi.advanceTimersByTimeAsync(2000);
      expect(instances).toHaveLength(2);
      first.tick(); // a zombie: ignored
      instances[1]!.tick();
      normaliser.flush();
      expect(ticks.map((t) => t.seq)).toEqual([1, 2]);
      expect(supervisor.report()).toMatchObject({ restarts: 1, lastError: 'crashed: timer callback blew up' });
      await supervisor.stop();
    });

    it('starts the backoff again from the smallest delay after a stable run', async () => {
      let failing = true;
      const adapter = new ScriptedAdapter('V', {
        start: () => {
          if (failing) throw new Error('not yet');
        },
      });
      const { supervisor, state } = supervise(adapter);
      await supervisor.start();
      await vi.advanceTimersByTimeAsync(2000); // second attempt fails too
      expect(state()?.reason).toMatch(/restarting in 4 s$/);
      failing = false;
      await vi.advanceTimersByTimeAsync(4000);
      expect(state()?.state).toBe('live');
      for (let i = 0; i < 25; i++) {
        adapter.tick();
        await vi.advanceTimersByTimeAsync(1000);
      }
      supervisor.fault(new Error('later'));
      await vi.advanceTimersByTimeAsync(0);
      expect(state()?.reason).toMatch(/restarting in 2 s$/);
      await supervisor.stop();
    });

    it('does not restart after stop', async () => {
      const adapter = new ScriptedAdapter('V', {
        start: () => {
          throw new Error('nope');
        },
      });
      const { supervisor, state } = supervise(adapter);
      await supervisor.start();
      await supervisor.stop();
      await vi.advanceTimersByTimeAsync(120_000);
      expect(adapter.starts).toBe(1);
      expect(state()).toEqual({ venue: 'V', state: 'down', reason: 'stopped' });
    });
  });

  it('keeps one adapter streaming while another keeps failing', async () => {
    const stream = normalisedStream();
    const good = new ScriptedAdapter('GOOD');
    const bad = new ScriptedAdapter('BAD', {
      start: () => {
        throw new Error('broken');
      },
    });
    const supervisors = [good, bad].map((adapter) => new AdapterSupervisor({ adapter }, stream.normaliser, silent, OPTIONS));
    await Promise.all(supervisors.map((s) => s.start()));
    for (let i = 0; i < 30; i++) {
      good.tick();
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(stream.ticks).toHaveLength(30);
    expect(stream.venueState('GOOD')?.state).toBe('live');
    expect(stream.venueState('BAD')?.state).toBe('down');
    expect(bad.starts).toBeGreaterThan(3);
    await Promise.all(supervisors.map((s) => s.stop()));
  });
});

describe('installAdapterFaultTrap', () => {
  it('hands an error thrown from an adapter timer to that adapter, and exits on any other', async () => {
    vi.useRealTimers();
    // Vitest's own handlers would report the deliberate uncaught errors: set them aside meanwhile.
    const saved = { exception: process.listeners('uncaughtException'), rejection: process.listeners('unhandledRejection') };
    process.removeAllListeners('uncaughtException');
    process.removeAllListeners('unhandledRejection');
    const faults: string[] = [];
    const exits: number[] = [];
    const uninstall = installAdapterFaultTrap({ logger: silent, exit: (code) => exits.push(code) });
    try {
      const target = { label: 'a@A', fault: (e: unknown) => faults.push((e as Error).message) };
      runInAdapterScope(target, () => {
        expect(currentFaultTarget()).toBe(target);
        setTimeout(() => {
          throw new Error('from a timer');
        }, 1);
        void Promise.reject(new Error('from a promise'));
      });
      setTimeout(() => {
        throw new Error('from nowhere');
      }, 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(faults.sort()).toEqual(['from a promise', 'from a timer']);
      expect(exits).toEqual([1]);
    } finally {
      uninstall();
      for (const l of saved.exception) process.on('uncaughtException', l);
      for (const l of saved.rejection) process.on('unhandledRejection', l);
    }
  });
});
