import { describe, expect, it } from 'vitest';
import { resolveFeedUrl } from '../../../components/providers/feed-url';

const page = { hostname: 'dash.example', protocol: 'http:' };

describe('resolveFeedUrl', () => {
  it('prefers ?feed= over the server configuration', () => {
    expect(resolveFeedUrl({ queryUrl: 'ws://a:1', configuredUrl: 'ws://b:2', page })).toBe('ws://a:1');
  });

  it('uses FEED_URL when the page names none', () => {
    expect(resolveFeedUrl({ configuredUrl: 'wss://b:2', page })).toBe('wss://b:2');
  });

  it('defaults to the page host on FEED_PORT or 8080, wss on an https page', () => {
    expect(resolveFeedUrl({ page })).toBe('ws://dash.example:8080');
    expect(resolveFeedUrl({ configuredPort: 9000, page: { hostname: '::1', protocol: 'https:' } })).toBe('wss://[::1]:9000');
  });

  it('rejects a URL that is not ws:// or wss://, naming its source', () => {
    expect(() => resolveFeedUrl({ queryUrl: 'http://x', page })).toThrow(/\?feed=/);
    expect(() => resolveFeedUrl({ configuredUrl: 'x', page })).toThrow(/FEED_URL/);
  });

  it('rejects a ws:// URL no browser can open: a port past 65535, no host, a fragment', () => {
    for (const bad of ['ws://localhost:80800', 'ws://:8080', 'ws://localhost:8080/#x']) {
      expect(() => resolveFeedUrl({ queryUrl: bad, page })).toThrow(/\?feed= must be .*port up to 65535/);
      expect(() => resolveFeedUrl({ configuredUrl: bad, page })).toThrow(/FEED_URL/);
    }
  });
});
