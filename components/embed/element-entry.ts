/**
 * Entry of the standalone `tickwire-chart.js` bundle (built by server/cli/build-embed.ts, served by the
 * feed service at GET /embed/tickwire-chart.js). Loading it defines `<tickwire-chart>`.
 *
 * Elements without a `feed` attribute use the feed named by the script tag's `data-feed`, else the
 * feed that served the script (its src: http://feed:8080/... -> ws://feed:8080).
 */
import { feedUrlFromHttp } from '../../lib/embed/embed-options';
import { defineTickwireChart } from './tickwire-chart-element';

function scriptFeedUrl(): string | undefined {
  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement)) return undefined;
  if (script.dataset.feed) return script.dataset.feed;
  try {
    return script.src ? feedUrlFromHttp(new URL(script.src).origin) : undefined;
  } catch {
    return undefined;
  }
}

defineTickwireChart({ defaultFeedUrl: scriptFeedUrl() });
