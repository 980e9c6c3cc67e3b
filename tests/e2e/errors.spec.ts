import { expect, test } from '@playwright/test';
import { dashboardUrl, waitLive } from './support/fixtures';
import { freePort } from './support/processes';

test.describe('Actionable errors', () => {
  test('says the feed is unreachable, and how to fix it', async ({ page }) => {
    const closedPort = await freePort();
    await page.goto(dashboardUrl({ feed: `ws://127.0.0.1:${closedPort}` }));
    const error = page.getByTestId('error-feed-unreachable');
    await expect(error).toBeVisible();
    await expect(error).toContainText(`ws://127.0.0.1:${closedPort}`);
    await expect(error).toContainText('npm start');
    await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'reconnecting');
  });

  test('rejects a malformed feed URL', async ({ page }) => {
    await page.goto(dashboardUrl({ feed: 'http://nope' }));
    await expect(page.getByTestId('error-feed-unreachable')).toContainText('ws://');
  });

  test('reports an unknown instrument and shows the first one instead', async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'NOPE-USD' }));
    await waitLive(page);
    const error = page.getByTestId('error-unknown-instrument');
    await expect(error).toContainText('NOPE-USD');
    await expect(page.getByTestId('price-chart')).not.toHaveAttribute('data-symbol', '');
    await error.getByRole('button', { name: 'Dismiss' }).click();
    await expect(error).toBeHidden();
  });
  test('drops the unknown-instrument error once the person picks an instrument from the watchlist', async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'NOPE-USD' }));
    await waitLive(page);
    const error = page.getByTestId('error-unknown-instrument');
    await expect(error).toContainText('Showing');
    await page.locator('[data-testid=watchlist-row][data-symbol="SIM:ETH-USD"]').click();
    await expect(page.getByTestId('price-chart')).toHaveAttribute('data-symbol', 'SIM:ETH-USD');
    await expect(error).toBeHidden();
  });
});
