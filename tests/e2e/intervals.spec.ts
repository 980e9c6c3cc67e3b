import { expect, test, type Page } from '@playwright/test';
import { dashboardUrl, waitLive } from './support/fixtures';

const LABELS = ['1s', '5s', '1m', '5m', '15m', '1h', '4h', '1D', '1W'];

/** Where the selector's buttons and the chart panel's head are, in CSS px. */
async function selectorLayout(page: Page) {
  return page.getByTestId('interval-selector').evaluate((selector) => {
    const head = selector.closest('.panel-head') as HTMLElement;
    const box = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    };
    return {
      head: box(head),
      headOverflows: head.scrollWidth > head.clientWidth,
      buttons: [...selector.querySelectorAll('button')].map((b) => ({ label: b.textContent, ...box(b) })),
      siblings: [...head.children].filter((el) => el !== selector).map(box),
    };
  });
}

test.describe('Interval selector', () => {
  for (const width of [1440, 1366, 1280, 1200, 1024]) {
    test(`offers all nine intervals on one row inside the chart panel at ${width} px`, async ({ page }, testInfo) => {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(dashboardUrl({ symbol: 'BTC-USD', interval: '1m' }));
      await waitLive(page);
      const radios = page.getByTestId('interval-selector').getByRole('radio');
      await expect(radios).toHaveText(LABELS);
      await expect(page.getByTestId('interval-1m')).toHaveAttribute('aria-checked', 'true');
      const layout = await selectorLayout(page);
      expect(layout.headOverflows).toBe(false);
      for (const button of layout.buttons) {
        expect(button.top, button.label ?? '').toBe(layout.buttons[0]?.top);
        expect(button.left).toBeGreaterThanOrEqual(layout.head.left);
        expect(button.right).toBeLessThanOrEqual(layout.head.right);
      }
      // Nothing else in the head (title, embed button) overlaps the buttons.
      const first = layout.buttons[0];
      const last = layout.buttons.at(-1);
      for (const other of layout.siblings) {
        expect(other.right <= (first?.left ?? 0) || other.left >= (last?.right ?? 0)).toBe(true);
      }
      await page.locator('.panel-chart').screenshot({ path: testInfo.outputPath(`chart-panel-${width}.png`) });
    });
  }

  test('charts 4h, 1D and 1W bars aligned in UTC: 1D at midnight, 1W on Monday', async ({ page }, testInfo) => {
    await page.goto(dashboardUrl({ symbol: 'BTC-USD', interval: '1s' }));
    await waitLive(page);
    const chart = page.getByTestId('price-chart');
    const cases = [
      { label: '4h', span: 14_400, origin: 0 },
      { label: '1D', span: 86_400, origin: 0 },
      { label: '1W', span: 604_800, origin: 4 * 86_400 },
    ];
    for (const { label, span, origin } of cases) {
      await page.getByTestId(`interval-${label}`).click();
      await expect(page.getByTestId(`interval-${label}`)).toHaveAttribute('aria-checked', 'true');
      await expect(chart).toHaveAttribute('data-interval', label);
      await expect(page).toHaveURL(new RegExp(`interval=${label}(&|$)`));
      await expect(chart).toHaveAttribute('data-bar-count', /[1-9]/);
      await expect(page.getByTestId('chart-legend')).toContainText(label);
      const lastTime = Number(await chart.getAttribute('data-last-time')); // bar open, s since the epoch
      expect((lastTime - origin) % span, `${label} bar opens on its UTC grid`).toBe(0);
      if (label === '1W') expect(new Date(lastTime * 1000).getUTCDay()).toBe(1);
      if (label === '1D') expect(new Date(lastTime * 1000).toISOString()).toMatch(/T00:00:00\.000Z$/);
      await page.locator('.panel-chart').screenshot({ path: testInfo.outputPath(`chart-${label}.png`) });
    }
  });

  test('opens at an interval given in the URL in any case ("1d")', async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'BTC-USD', interval: '1d' }));
    await waitLive(page);
    await expect(page.getByTestId('interval-1D')).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByTestId('price-chart')).toHaveAttribute('data-interval', '1D');
  });
});
