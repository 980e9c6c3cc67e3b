import { expect, test } from '@playwright/test';
import { dashboardUrl, waitLive } from './support/fixtures';
import { freePort, startFeed, type FeedProcess } from './support/processes';

test.describe('Venue status', () => {
  let feed: FeedProcess | undefined;

  test.afterEach(async () => {
    await feed?.stop();
    feed = undefined;
  });

  test('says which venue is down and why, while the other venue keeps streaming', async ({ page }) => {
    const port = await freePort();
    feed = await startFeed({
      port,
      instruments: 4,
      rate: 20,
      extraArgs: [
        '--adapter',
        'simulated',
        '--adapter',
        './tests/unit/adapters/fixtures/misbehaving-adapter.ts',
        '--adapter-opt',
        'mode=throw-on-start',
        '--adapter-opt',
        'venue=BROKEN',
      ],
    });
    await page.goto(dashboardUrl({ feed: feed.url, symbol: 'BTC-USD', interval: '1s' }));
    await waitLive(page);
    const broken = page.locator('[data-testid=venue-status] li[data-venue=BROKEN]');
    await expect(broken).toHaveAttribute('data-state', 'down');
    await expect(broken.getByTestId('venue-reason')).toBeVisible();
    await expect(broken.getByTestId('venue-reason')).toContainText(/^down: failed to start: cannot reach the source; restarting in \d+ s$/);
    const sim = page.locator('[data-testid=venue-status] li[data-venue=SIM]');
    await expect(sim).toHaveAttribute('data-state', 'live');
    await expect(sim.getByTestId('venue-reason')).toHaveCount(0);
    await expect(page.getByTestId('watchlist')).toHaveAttribute('data-total', '4');
    await page.getByTestId('venue-status').screenshot({ path: 'test-results/venue-down.png' });
  });
});
