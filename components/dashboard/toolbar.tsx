'use client';
/** Top bar: brand, selected instrument, venue status, connection badge, time-zone and theme toggles. */
import { useSyncExternalStore } from 'react';
import { useDashboard, useDashboardActions } from '../../lib/store/react';
import type { DisplayPrefs } from '../../lib/store/types';
import { localZoneName, zoneLabel } from '../shared/time-format';
import { ConnectionBadge } from '../status/connection-badge';
import { VenueStatusList } from '../status/venue-status';
import { InstrumentSummary } from './instrument-summary';

const NEXT_THEME: Readonly<Record<DisplayPrefs['theme'], DisplayPrefs['theme']>> = {
  system: 'dark',
  dark: 'light',
  light: 'system',
};
const THEME_LABEL: Readonly<Record<DisplayPrefs['theme'], string>> = {
  system: 'Auto',
  dark: 'Dark',
  light: 'Light',
};

const noSubscription = (): (() => void) => () => {};

/** The viewer's zone name; empty during server rendering (the server's zone is not the viewer's). */
function useLocalZoneLabel(): string {
  return useSyncExternalStore(noSubscription, localZoneLabelSnapshot, () => '');
}

let cachedZoneLabel: string | undefined;
/** Stable snapshot for useSyncExternalStore (a new string each call would loop). */
function localZoneLabelSnapshot(): string {
  cachedZoneLabel ??= `${zoneLabel('local')}|${localZoneName()}`;
  return cachedZoneLabel;
}

export function Toolbar() {
  const prefs = useDashboard((s) => s.prefs);
  const [localZone = '', localZoneFull = ''] = useLocalZoneLabel().split('|');
  const { setPrefs } = useDashboardActions();
  return (
    <header className="toolbar">
      <div className="brand" aria-label="Tickwire">
        <span className="brand-mark" aria-hidden>
          ▲
        </span>
        Tickwire
      </div>
      <InstrumentSummary />
      <div className="toolbar-right">
        <VenueStatusList />
        <ConnectionBadge />
        <button
          type="button"
          className="toggle"
          data-testid="timezone-toggle"
          data-zone={prefs.timeZone}
          title={`Times in ${prefs.timeZone === 'utc' ? 'UTC' : localZoneFull || 'your local zone'}; click to switch`}
          onClick={() => setPrefs({ timeZone: prefs.timeZone === 'utc' ? 'local' : 'utc' })}
        >
          {prefs.timeZone === 'utc' ? 'UTC' : 'Local'}
          {prefs.timeZone === 'local' && localZone && <small>{localZone}</small>}
        </button>
        <button
          type="button"
          className="toggle"
          data-testid="theme-toggle"
          data-theme-choice={prefs.theme}
          title="Theme: follow the system, dark or light"
          onClick={() => setPrefs({ theme: NEXT_THEME[prefs.theme] })}
        >
          {THEME_LABEL[prefs.theme]}
        </button>
      </div>
    </header>
  );
}
