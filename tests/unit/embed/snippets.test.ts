import { describe, expect, it } from 'vitest';
import { buildSnippets, escapeAttribute, iframeUrl, type SnippetInput } from '../../../lib/embed/snippets';

const INPUT: SnippetInput = {
  symbol: 'BTC-USD',
  interval: 60,
  theme: 'dark',
  dashboardOrigin: 'http://127.0.0.1:3000',
  feedUrl: 'ws://127.0.0.1:8080',
  iframeFeed: false,
};

describe('buildSnippets', () => {
  it("points the iframe at the dashboard's embed route with interval and theme", () => {
    const { iframe } = buildSnippets(INPUT);
    expect(iframe).toContain('src="http://127.0.0.1:3000/embed/chart/BTC-USD?interval=1m&amp;theme=dark"');
    expect(iframe).toContain('title="BTC-USD live chart"');
  });

  it('adds the feed to the iframe URL only when asked', () => {
    expect(iframeUrl({ ...INPUT, iframeFeed: true })).toBe(
      'http://127.0.0.1:3000/embed/chart/BTC-USD?interval=1m&theme=dark&feed=ws%3A%2F%2F127.0.0.1%3A8080',
    );
  });

  it('loads the element script from the feed service and names the feed on the element', () => {
    const { element } = buildSnippets({ ...INPUT, symbol: 'SIM:ETH-USD', interval: 5, theme: 'auto' });
    expect(element).toContain('<script src="http://127.0.0.1:8080/embed/tickwire-chart.js" async></script>');
    expect(element).toContain('<tickwire-chart symbol="SIM:ETH-USD" interval="5s" theme="auto"');
    expect(element).toContain('feed="ws://127.0.0.1:8080"></tickwire-chart>');
  });

  it('imports LiveChart from tickwire/react with the same settings', () => {
    const { react } = buildSnippets({ ...INPUT, feedUrl: 'wss://feed.example.com' });
    expect(react).toContain("import { LiveChart } from 'tickwire/react';");
    expect(react).toContain('export function BtcUsdChart() {');
    expect(react).toContain('<LiveChart symbol="BTC-USD" interval="1m" theme="dark" feedUrl="wss://feed.example.com" />');
  });

  it('escapes attribute values', () => {
    expect(escapeAttribute('a"b<c>&')).toBe('a&quot;b&lt;c&gt;&amp;');
  });
});
