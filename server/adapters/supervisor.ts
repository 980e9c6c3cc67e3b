/**
 * Runs one feed adapter and keeps it running without letting it hurt anything else:
 *
 * - `start` that throws, rejects or takes longer than `startTimeoutMs` -> venue down with the
 *   reason, restart after a capped, jittered exponential backoff (1 s .. 60 s by default);
 * - an adapter that says `live` but shows no sign of life (trade, quote, `heartbeat()`) for
 *   `staleAfterMs` -> venue stale; after `restartAfterSilentMs` -> restarted;
 * - an error it throws from its own callbacks (see fault-scope.ts) -> restarted;
 * - `stop` that hangs is abandoned after `stopTimeoutMs`; its sink is closed first, so whatever a
 *   zombie emits afterwards is ignored.
 *
 * Bad ticks are the normaliser's business (counted per adapter and reason, logged once per kind).
 * Every run gets a fresh sink; a class or factory adapter also gets a fresh instance.
 */
import { backoffDelay } from '../../lib/net/backoff';
import type { Logger } from '../log';
import type { Normaliser } from '../normaliser/normaliser';
import type { SinkHandle } from '../normaliser/sources';
import { describeError, runInAdapterScope, type FaultTarget } from './fault-scope';
import type { AdapterState, FeedAdapter } from './types';
import { withTimeout } from './with-timeout';

/** Options of {@link AdapterSupervisor}. */
export interface SupervisorOptions {
  /** Smallest restart delay and base of the exponential growth, ms. @defaultValue 1000 */
  readonly minRestartDelayMs: number;
  /** Largest restart delay, ms. @defaultValue 60000 */
  readonly maxRestartDelayMs: number;
  /** Longest `start` (and a factory building the instance for a restart) may take before it counts as failed, ms. @defaultValue 15000 */
  readonly startTimeoutMs: number;
  /** Longest `stop` is waited for, ms. @defaultValue 5000 */
  readonly stopTimeoutMs: number;
  /** Silence (no tick, no heartbeat) after which a live adapter is shown stale, ms. @defaultValue 30000 */
  readonly staleAfterMs: number;
  /** Silence after which a live adapter is restarted, ms; 0 never restarts for silence. @defaultValue 120000 */
  readonly restartAfterSilentMs: number;
  /** Healthy running time after which the backoff starts again from the smallest delay, ms. @defaultValue 60000 */
  readonly stableAfterMs: number;
  /** Period of the staleness check, ms. @defaultValue min(1000, staleAfterMs / 4), at least 10 */
  readonly checkIntervalMs: number;
  /** Random source in [0, 1) for the jitter. @defaultValue Math.random */
  readonly random: () => number;
  /** Clock, ms. @defaultValue Date.now */
  readonly now: () => number;
}

/** Defaults of {@link SupervisorOptions}. */
export const SUPERVISOR_DEFAULTS: Readonly<SupervisorOptions> = Object.freeze({
  minRestartDelayMs: 1000,
  maxRestartDelayMs: 60_000,
  startTimeoutMs: 15_000,
  stopTimeoutMs: 5000,
  staleAfterMs: 30_000,
  restartAfterSilentMs: 120_000,
  stableAfterMs: 60_000,
  checkIntervalMs: 1000,
  random: Math.random,
  now: () => Date.now(),
});

/** What to supervise. */
export interface SupervisedAdapter {
  /** The first instance (built eagerly, so bad options fail at startup, not in a restart loop). */
  readonly adapter: FeedAdapter;
  /** Builds a fresh instance for each restart; without it the same instance is stopped and started again. */
  readonly recreate?: () => FeedAdapter | Promise<FeedAdapter>;
  /** Adapter symbol -> displayed symbol. */
  readonly symbolMap?: ReadonlyMap<string, string>;
}

/** The supervisor's phase. */
export type SupervisorPhase = 'idle' | 'starting' | 'running' | 'waiting' | 'stopped';

/** Counters and state for /healthz. */
export interface SupervisorReport {
  readonly adapter: string;
  readonly venue: string;
  readonly phase: SupervisorPhase;
  readonly restarts: number;
  readonly lastError: string | undefined;
  readonly rejected: Record<string, number>;
  readonly stats: Readonly<Record<string, number>> | undefined;
  /** Why the adapter's `stats()` failed (it threw, or returned no object), when it did; `stats` is then absent. */
  readonly statsError?: string;
}

function checkOptions(options: Partial<SupervisorOptions>): SupervisorOptions {
  const o = { ...SUPERVISOR_DEFAULTS, ...options };
  if (options.checkIntervalMs === undefined && typeof o.staleAfterMs === 'number') {
    o.checkIntervalMs = Math.max(10, Math.min(SUPERVISOR_DEFAULTS.checkIntervalMs, o.staleAfterMs / 4));
  }
  const positive = [
    'minRestartDelayMs',
    'maxRestartDelayMs',
    'startTimeoutMs',
    'stopTimeoutMs',
    'staleAfterMs',
    'stableAfterMs',
    'checkIntervalMs',
  ] as const;
  for (const name of positive) {
    const value = o[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new TypeError(`supervisor option ${name} must be a positive number of ms, got ${String(value)}`);
  }
  if (typeof o.restartAfterSilentMs !== 'number' || !(o.restartAfterSilentMs >= 0)) {
    throw new TypeError(`supervisor option restartAfterSilentMs must be >= 0 ms, got ${String(o.restartAfterSilentMs)}`);
  }
  if (o.maxRestartDelayMs < o.minRestartDelayMs) throw new TypeError('supervisor option maxRestartDelayMs must be >= minRestartDelayMs');
  if (typeof o.random !== 'function') throw new TypeError('supervisor option random must be a function');
  if (typeof o.now !== 'function') throw new TypeError('supervisor option now must be a function');
  return o;
}

/** Supervises one adapter (see the file comment). */
export class AdapterSupervisor implements FaultTarget {
  readonly name: string;
  readonly venue: string;
  readonly label: string;
  private readonly options: SupervisorOptions;
  private readonly logger: Logger;
  private current: FeedAdapter;
  private fresh = true;
  private handle: SinkHandle | undefined;
  private key: number | undefined;
  private run = 0;
  private phaseValue: SupervisorPhase = 'idle';
  private adapterState: AdapterState | undefined;
  private adapterReason = '';
  private lastActivityMs = 0;
  /** Whether the last published state was the supervisor's `stale` (so activity must republish). */
  private staleShown = false;
  private startedAtMs = 0;
  private attempts = 0;
  private restartCount = 0;
  private lastErrorText: string | undefined;
  private waitReason = '';
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;

  /** @throws TypeError naming a bad option, or when the adapter lacks a name, venue, start or stop. */
  constructor(
    private readonly spec: SupervisedAdapter,
    private readonly normaliser: Normaliser,
    logger: Logger,
    options: Partial<SupervisorOptions> = {},
  ) {
    const adapter = spec.adapter;
    if (typeof adapter !== 'object' || adapter === null || typeof adapter.start !== 'function' || typeof adapter.stop !== 'function') {
      throw new TypeError('adapter must be a FeedAdapter (an object with start and stop methods)');
    }
    if (typeof adapter.venue !== 'string' || adapter.venue.length === 0) throw new TypeError('adapter.venue must be a non-empty string');
    this.options = checkOptions(options);
    this.current = adapter;
    this.name = typeof adapter.name === 'string' && adapter.name.length > 0 ? adapter.name : 'unnamed';
    this.venue = adapter.venue;
    this.label = `${this.name}@${this.venue}`;
    this.logger = logger.child({ adapter: this.name, venue: this.venue });
  }

  /** Current phase. */
  get phase(): SupervisorPhase {
    return this.phaseValue;
  }

  /** The instance of the current (or last) run. */
  get adapter(): FeedAdapter {
    return this.current;
  }

  /** Starts the first run; resolves once it has started or failed (a failure schedules a restart). */
  async start(): Promise<void> {
    if (this.phaseValue !== 'idle') throw new Error(`supervisor for ${this.label} already started`);
    this.watchdog = setInterval(() => this.check(), this.options.checkIntervalMs);
    this.watchdog.unref?.();
    await this.attempt();
  }

  /** Stops the adapter (waiting at most `stopTimeoutMs`) and reports the venue down. */
  async stop(): Promise<void> {
    if (this.phaseValue === 'stopped') return;
    this.phaseValue = 'stopped';
    this.run += 1;
    clearInterval(this.watchdog);
    clearTimeout(this.restartTimer);
    await this.teardown('stopped');
    this.publish();
  }

  /** An error attributed to this adapter (from the fault trap): restart it. */
  fault(error: unknown): void {
    if (this.phaseValue !== 'running' && this.phaseValue !== 'starting') return;
    void this.restart(`crashed: ${describeError(error)}`);
  }

  /** State and counters for /healthz; an adapter's `stats()` that throws is reported as `statsError`, never thrown. */
  report(): SupervisorReport {
    let stats: Readonly<Record<string, number>> | undefined;
    let statsError: string | undefined;
    try {
      stats = typeof this.current.stats === 'function' ? this.current.stats() : undefined;
      if (stats !== undefined && (typeof stats !== 'object' || stats === null)) {
        statsError = `stats() returned ${stats === null ? 'null' : typeof stats}, not an object`;
        stats = undefined;
      }
    } catch (error) {
      statsError = `stats() threw: ${describeError(error)}`;
    }
    return {
      adapter: this.name,
      venue: this.venue,
      phase: this.phaseValue,
      restarts: this.restartCount,
      lastError: this.lastErrorText,
      rejected: this.key === undefined ? {} : this.normaliser.rejectedFor(this.key),
      stats,
      ...(statsError === undefined ? {} : { statsError }),
    };
  }

  private async attempt(): Promise<void> {
    const run = ++this.run;
    this.phaseValue = 'starting';
    this.adapterState = undefined;
    this.adapterReason = '';
    this.publish();
    let adapter: FeedAdapter;
    try {
      // A factory that never delivers would leave the venue "connecting" forever: same limit as start.
      adapter = await withTimeout(
        this.instance(),
        this.options.startTimeoutMs,
        `the adapter factory did not return within ${this.options.startTimeoutMs} ms`,
      );
    } catch (error) {
      if (run === this.run) this.scheduleRestart(`could not create the adapter: ${describeError(error)}`);
      return;
    }
    if (run !== this.run) return;
    this.current = adapter;
    const handle = this.normaliser.open(
      { adapter: this.name, venue: this.venue, symbolMap: this.spec.symbolMap, key: this.key },
      {
        onActivity: () => {
          if (run === this.run) this.activity();
        },
        onStatus: (state, reason) => {
          if (run === this.run) this.adapterStatus(state, reason);
        },
      },
    );
    this.key = handle.key;
    this.handle = handle;
    this.startedAtMs = this.lastActivityMs = this.options.now();
    try {
      const started = runInAdapterScope(this, () => Promise.resolve().then(() => adapter.start(handle.sink)));
      await withTimeout(started, this.options.startTimeoutMs, `start did not finish within ${this.options.startTimeoutMs} ms`);
    } catch (error) {
      if (run !== this.run) return;
      this.lastErrorText = describeError(error);
      this.logger.warn('adapter failed to start', { error: this.lastErrorText });
      await this.teardown('failed to start');
      if (run === this.run) this.scheduleRestart(`failed to start: ${this.lastErrorText}`);
      return;
    }
    if (run !== this.run) return;
    this.phaseValue = 'running';
    this.adapterState ??= 'live';
    this.publish();
    this.logger.info('adapter running', { restarts: this.restartCount });
  }

  /** The instance for this run: the first one, then fresh ones when a factory was given. */
  private async instance(): Promise<FeedAdapter> {
    if (this.fresh || this.spec.recreate === undefined) {
      this.fresh = false;
      return this.current;
    }
    const recreate = this.spec.recreate;
    const adapter = await runInAdapterScope(this, () => Promise.resolve().then(recreate));
    if (typeof adapter !== 'object' || adapter === null || typeof adapter.start !== 'function' || typeof adapter.stop !== 'function') {
      throw new TypeError('the adapter factory returned something that is not a FeedAdapter');
    }
    if (adapter.venue !== this.venue)
      throw new TypeError(`the adapter factory returned venue ${String(adapter.venue)}, expected ${this.venue}`);
    return adapter;
  }

  private activity(): void {
    this.lastActivityMs = this.options.now();
    if (this.staleShown) this.publish();
  }

  private adapterStatus(state: AdapterState, reason: string): void {
    this.adapterState = state;
    this.adapterReason = reason;
    if (state === 'live') this.lastActivityMs = this.options.now();
    this.publish();
  }

  /** Publishes the venue state the supervisor believes in. */
  private publish(): void {
    this.staleShown = false;
    switch (this.phaseValue) {
      case 'idle':
      case 'starting':
        this.normaliser.setVenueStatus(this.venue, this.adapterState ?? 'connecting', this.adapterReason);
        return;
      case 'waiting':
        this.normaliser.setVenueStatus(this.venue, 'down', this.waitReason);
        return;
      case 'stopped':
        this.normaliser.setVenueStatus(this.venue, 'down', 'stopped');
        return;
      case 'running': {
        const state = this.adapterState ?? 'live';
        const silentMs = this.options.now() - this.lastActivityMs;
        if (state === 'live' && silentMs >= this.options.staleAfterMs) {
          this.staleShown = true;
          // A time, not a running count: the reason stays true without a new status every check.
          this.normaliser.setVenueStatus(
            this.venue,
            'stale',
            `no data since ${new Date(this.lastActivityMs).toISOString().slice(11, 19)} UTC`,
          );
          return;
        }
        this.normaliser.setVenueStatus(this.venue, state, this.adapterReason);
      }
    }
  }

  /** Periodic: staleness, restart for silence, backoff reset after a stable run. */
  private check(): void {
    if (this.phaseValue !== 'running') return;
    const now = this.options.now();
    const silentMs = now - this.lastActivityMs;
    const live = (this.adapterState ?? 'live') === 'live';
    if (live && this.options.restartAfterSilentMs > 0 && silentMs >= this.options.restartAfterSilentMs) {
      void this.restart(`no data for ${Math.round(silentMs / 1000)} s`);
      return;
    }
    // Once: the reason ("no data since 12:00:00 UTC") stands until data returns, instead of a
    // new status (and a log line) every check.
    if (live && silentMs >= this.options.staleAfterMs && !this.staleShown) this.publish();
    if (this.attempts > 0 && live && silentMs < this.options.staleAfterMs && now - this.startedAtMs >= this.options.stableAfterMs) {
      this.attempts = 0;
    }
  }

  private async restart(reason: string): Promise<void> {
    const run = ++this.run;
    this.lastErrorText = reason;
    this.logger.warn('restarting adapter', { reason });
    this.phaseValue = 'waiting';
    this.waitReason = reason;
    this.publish();
    await this.teardown(reason);
    if (run === this.run) this.scheduleRestart(reason);
  }

  private scheduleRestart(reason: string): void {
    const delayMs = backoffDelay(
      this.attempts,
      { minDelayMs: this.options.minRestartDelayMs, maxDelayMs: this.options.maxRestartDelayMs },
      this.options.random,
    );
    this.attempts += 1;
    this.phaseValue = 'waiting';
    this.waitReason = `${reason}; restarting in ${Math.max(1, Math.round(delayMs / 1000))} s`;
    this.publish();
    const run = this.run;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (run !== this.run || this.phaseValue !== 'waiting') return;
      this.restartCount += 1;
      void this.attempt();
    }, delayMs);
  }

  /** Closes the run's sink, then stops its adapter, waiting at most `stopTimeoutMs`. */
  private async teardown(why: string): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle === undefined) return;
    handle.close();
    const adapter = this.current;
    try {
      const stopped = runInAdapterScope(this, () => Promise.resolve().then(() => adapter.stop()));
      await withTimeout(stopped, this.options.stopTimeoutMs, `stop did not finish within ${this.options.stopTimeoutMs} ms`);
    } catch (error) {
      this.logger.warn('adapter did not stop cleanly; abandoned', { why, error: describeError(error) });
    }
  }
}
