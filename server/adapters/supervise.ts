/**
 * Puts every adapter of a service under its own supervisor (supervisor.ts), checking that venues
 * are distinct and merging the command line's symbol maps into each adapter's.
 */
import type { Logger } from '../log';
import type { Normaliser } from '../normaliser/normaliser';
import { AdapterSupervisor, type SupervisedAdapter, type SupervisorOptions } from './supervisor';
import type { SymbolMaps } from './symbol-map';
import type { FeedAdapter } from './types';

/** True when `value` is a `{ adapter, recreate? }` spec rather than an adapter instance. */
export function isSupervisedAdapter(value: FeedAdapter | SupervisedAdapter): value is SupervisedAdapter {
  return typeof value === 'object' && value !== null && 'adapter' in value && typeof (value as unknown as FeedAdapter).start !== 'function';
}

/**
 * Builds one supervisor per adapter (not started); adds the venue's entries of `symbolMaps` to each
 * adapter's own symbol map.
 * @throws TypeError when two adapters share a venue (their status and instrument names would collide).
 */
export function superviseAdapters(
  specs: readonly (FeedAdapter | SupervisedAdapter)[],
  normaliser: Normaliser,
  logger: Logger,
  options: { readonly symbolMaps?: SymbolMaps; readonly supervisor?: Partial<SupervisorOptions> } = {},
): AdapterSupervisor[] {
  const supervisors: AdapterSupervisor[] = [];
  const byVenue = new Map<string, AdapterSupervisor>();
  for (const given of specs) {
    const spec: SupervisedAdapter = isSupervisedAdapter(given) ? given : { adapter: given };
    const extra = options.symbolMaps?.get(spec.adapter?.venue);
    const symbolMap = extra === undefined ? spec.symbolMap : new Map([...(spec.symbolMap ?? []), ...extra]);
    const supervisor = new AdapterSupervisor(
      { ...spec, symbolMap },
      normaliser,
      logger.child({ component: 'supervisor' }),
      options.supervisor,
    );
    const clash = byVenue.get(supervisor.venue);
    if (clash !== undefined) {
      throw new TypeError(
        `two adapters on venue ${supervisor.venue} (${clash.name} and ${supervisor.name}); give one another venue, e.g. --adapter-opt venue=${supervisor.venue}2`,
      );
    }
    byVenue.set(supervisor.venue, supervisor);
    supervisors.push(supervisor);
  }
  return supervisors;
}
