import { expect, test } from '@playwright/test';
import type { FeedService } from '../../server/feed-service';
import { COLOUR_TOKENS } from '../../lib/theme/colour-tokens';
import { startTestFeed } from '../support/feed';
import { dashboardUrl, waitLive } from './support/fixtures';
import { freePort, startFeed, type FeedProcess } from './support/processes';

/** `#rrggbb` as the browser's computed style writes it. */
function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${n >> 16}, ${(n >> 8) & 0xff}, ${n & 0xff})`;
}

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

test.describe('Venue status when the gateway loses its upstream', () => {
  let service: FeedService | undefined;

  test.afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  test('fails over from a dead gateway URL, then shows "upstream lost" apart from down, and the venue again once back', async ({
    page,
  }) => {
    // In-process, so the test can publish the status a gateway that lost NATS would send.
    service = await startTestFeed({ simulated: { instruments: 4, ratePerInstrument: 20 } });
    const dead = `ws://127.0.0.1:${await freePort()}`;
    await page.goto(dashboardUrl({ feed: `${dead},${service.url}`, symbol: 'BTC-USD', interval: '1s' }));
    await waitLive(page);
    await expect(page.getByTestId('connection-badge')).toHaveAttribute('title', `Feed: ${service.url}`);
    const sim = page.locator('[data-testid=venue-status] li[data-venue=SIM]');
    await expect(sim).toHaveAttribute('data-state', 'live');

    service.bus.publishStatus([{ venue: 'SIM', state: 'upstream_lost', reason: 'gateway lost NATS; reconnecting' }]);
    await expect(sim).toHaveAttribute('data-state', 'upstream_lost');
    await expect(sim.getByTestId('venue-reason')).toHaveText('upstream lost: gateway lost NATS; reconnecting');
    await expect(sim).toHaveAttribute(
      'title',
      /message broker \(NATS\)\. The venue itself may be fine.*\ngateway lost NATS; reconnecting$/s,
    );
    const colours = await sim.evaluate((li) => ({
      dot: getComputedStyle(li.querySelector('.venue-dot')!).backgroundColor,
      text: getComputedStyle(li.querySelector('.venue-reason')!).color,
    }));
    const theme = (await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)) ? 'dark' : 'light';
    const lost = rgb(COLOUR_TOKENS['upstream-lost'][theme]);
    expect(colours).toEqual({ dot: lost, text: lost });
    expect(lost).not.toBe(rgb(COLOUR_TOKENS.down[theme]));
    await page.getByTestId('venue-status').screenshot({ path: 'test-results/venue-upstream-lost.png' });
    await page.screenshot({ path: 'test-results/dashboard-upstream-lost.png' });

    service.bus.publishStatus([{ venue: 'SIM', state: 'live', reason: '' }]);
    await expect(sim).toHaveAttribute('data-state', 'live');
    await expect(sim.getByTestId('venue-reason')).toHaveCount(0);
  });
});
