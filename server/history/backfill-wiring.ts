/**
 * Starts the backfill (backfill.ts) for the feed service: each instrument an adapter with
 * `history` declares is queued with the adapter's own symbol (the normaliser knows it) as soon as
 * it appears on the bus, and once more after the adapters' first start (a table restored on resume
 * publishes nothing new).
 */
import type { AdapterSupervisor } from '../adapters/supervisor';
import type { Bus, Unsubscribe } from '../bus/types';
import type { Logger } from '../log';
import type { Normaliser } from '../normaliser/normaliser';
import { Backfill, type BackfillProgress, type BackfillTarget } from './backfill';
import type { BarStore } from './store/types';

/** The feed service's `backfill` option. */
export interface BackfillSettings {
  /** Where bars go; the service owns it (this does not close it). */
  readonly store: BarStore;
  /** Days of 1m bars to fill, ending now; 0 disables. @defaultValue 30 */
  readonly days?: number;
}

/** A running backfill as the feed service holds it. */
export interface BackfillWiring {
  /** Queues what the instrument table holds now (call after the adapters' first start). */
  scan(): void;
  progress(): BackfillProgress;
  /** Cancels the backfill and stops listening. */
  stop(): Promise<void>;
}

/** Wires a {@link Backfill} to the bus's instrument table and the supervisors' adapters. */
export function wireBackfill(
  settings: BackfillSettings,
  parts: {
    readonly bus: Bus;
    readonly normaliser: Normaliser;
    readonly supervisors: readonly AdapterSupervisor[];
    readonly logger: Logger;
  },
): BackfillWiring {
  const backfill = new Backfill({
    store: settings.store,
    ...(settings.days !== undefined ? { days: settings.days } : {}),
    logger: parts.logger,
  });
  const scan = (): void => {
    const targets: BackfillTarget[] = [];
    for (const instrument of parts.bus.instruments()) {
      const adapter = parts.supervisors.find((s) => s.venue === instrument.venue)?.adapter;
      const symbol = parts.normaliser.sourceSymbol(instrument.symbol);
      if (adapter === undefined || symbol === undefined || typeof adapter.history !== 'function') continue;
      targets.push({ adapter, symbol, instrument });
    }
    if (targets.length > 0) backfill.add(targets);
  };
  const unsubscribe: Unsubscribe = parts.bus.onInstruments(scan);
  return {
    scan,
    progress: () => backfill.progress(),
    stop: async () => {
      unsubscribe();
      await backfill.stop();
    },
  };
}
