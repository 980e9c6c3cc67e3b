/**
 * Starts what every spec shares: one real feed service (simulator, 20 instruments) and the built
 * dashboard served by `next start`, each on a free 127.0.0.1 port. The dashboard learns the feed
 * through FEED_URL at runtime. Builds first unless `.next` is current (and the embed bundles unless
 * dist/ is). Returns the teardown, which stops both by PID.
 */
import { buildEmbed, embedBuildIsCurrent } from '../../server/cli/build-embed';
import { buildIsCurrent } from './support/build-state';
import { buildDashboard, freePort, startDashboard, startFeed, stopProcess } from './support/processes';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.E2E_SKIP_BUILD !== '1' && !buildIsCurrent()) await buildDashboard();
  // The feed service serves dist/embed/tickwire-chart.js; esbuild takes well under a second.
  if (!embedBuildIsCurrent()) await buildEmbed();
  const feed = await startFeed({ port: await freePort(), instruments: 20, rate: 20 });
  const dashboardPort = await freePort();
  let dashboard;
  try {
    dashboard = await startDashboard(dashboardPort, { FEED_URL: feed.url });
  } catch (error) {
    await feed.stop();
    throw error;
  }
  process.env.E2E_BASE_URL = `http://127.0.0.1:${dashboardPort}`;
  process.env.E2E_FEED_URL = feed.url;
  return async () => {
    await stopProcess(dashboard);
    await feed.stop();
  };
}
