/**
 * End-to-end tests of the dashboard in real Chromium against a real feed service.
 * `npm run test:e2e`. Browsers are not downloaded: Debian's chromium is used (CHROMIUM_PATH
 * overrides; Playwright's own browser is the last resort).
 */
import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

// Feeds the specs start keep history in memory unless a spec names a --data-dir (a spec that
// restarts the feed does), so runs never continue each other's saved state.
process.env.TICKWIRE_NO_PERSIST ??= '1';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const executablePath = process.env.CHROMIUM_PATH || (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/e2e/global-setup.ts',
  // One worker: the specs share one feed and one Next server, and the machine has 2 cores.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
