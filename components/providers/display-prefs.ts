/**
 * Persistence of display preferences (theme, time zone) in localStorage, and the tiny script the
 * layout runs before first paint so a forced theme never flashes the other one.
 */
import type { DisplayPrefs } from '../../lib/store/types';

/** localStorage key of the saved preferences. */
export const PREFS_STORAGE_KEY = 'tickwire.prefs';

/** Preferences before the person chose any. */
export const DEFAULT_PREFS: DisplayPrefs = { timeZone: 'local', theme: 'system' };

/** Reads saved preferences, ignoring anything malformed. Browser only. */
export function loadPrefs(): DisplayPrefs {
  try {
    const raw = JSON.parse(window.localStorage.getItem(PREFS_STORAGE_KEY) ?? '{}') as Partial<DisplayPrefs>;
    return {
      timeZone: raw.timeZone === 'utc' ? 'utc' : 'local',
      theme: raw.theme === 'dark' || raw.theme === 'light' ? raw.theme : 'system',
    };
  } catch {
    return DEFAULT_PREFS;
  }
}

/** Saves preferences (quietly does nothing where storage is unavailable). */
export function savePrefs(prefs: DisplayPrefs): void {
  try {
    window.localStorage.setItem(PREFS_STORAGE_KEY, JSON.stringify(prefs));
  } catch {
    // Private mode or storage disabled: preferences last for this page only.
  }
}

/** Applies the theme to <html>: `data-theme` forces one; none follows the system. */
export function applyThemeAttribute(theme: DisplayPrefs['theme']): void {
  if (theme === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', theme);
}

/** Inline script for <head>: sets a saved forced theme before the first paint. */
export const THEME_BOOT_SCRIPT = `try{var t=JSON.parse(localStorage.getItem(${JSON.stringify(PREFS_STORAGE_KEY)})||'{}').theme;if(t==='dark'||t==='light')document.documentElement.setAttribute('data-theme',t)}catch(e){}`;
