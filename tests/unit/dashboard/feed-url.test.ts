import { describe, expect, it } from 'vitest';
import { resolveFeedUrls } from '../../../components/providers/feed-url';

const page = { hostname: 'dash.example', protocol: 'http:' };

describe('resolveFeedUrls', () => {
  it('prefers ?feed= over the server configuration', () => {
    expect(resolveFeedUrls({ queryUrl: 'ws://a:1', configuredUrl: 'ws://b:2', page })).toEqual(['ws://a:1']);
  });

  it('uses FEED_URL when the page names none', () => {
    expect(resolveFeedUrls({ configuredUrl: 'wss://b:2', page })).toEqual(['wss://b:2']);
  });

  it('defaults to the page host on FEED_PORT or 8080, wss on an https page', () => {
    expect(resolveFeedUrls({ page })).toEqual(['ws://dash.example:8080']);
    expect(resolveFeedUrls({ configuredPort: 9000, page: { hostname: '::1', protocol: 'https:' } })).toEqual(['wss://[::1]:9000']);
  });

  it('takes a comma-separated list of gateways, in order, trimmed, blank entries and duplicates dropped', () => {
    expect(resolveFeedUrls({ queryUrl: 'ws://a:1,ws://b:2', page })).toEqual(['ws://a:1', 'ws://b:2']);
    expect(resolveFeedUrls({ configuredUrl: ' ws://b:2 , wss://c:3, ,ws://b:2,', page })).toEqual(['ws://b:2', 'wss://c:3']);
  });

  it('rejects a URL that is not ws:// or wss://, naming its source', () => {
    expect(() => resolveFeedUrls({ queryUrl: 'http://x', page })).toThrow(/\?feed=/);
    expect(() => resolveFeedUrls({ configuredUrl: 'x', page })).toThrow(/FEED_URL/);
  });

  it('rejects a list with one bad entry, naming that entry, and a list of nothing but commas', () => {
    expect(() => resolveFeedUrls({ configuredUrl: 'ws://a:1,http://b:2', page })).toThrow(
      'FEED_URL must be a ws:// or wss:// URL with a host, a port up to 65535 and no # (or a comma-separated list of them), got "http://b:2"',
    );
    expect(() => resolveFeedUrls({ queryUrl: ',,', page })).toThrow(/\?feed= must be .*got ",,"/);
  });

  it('rejects a ws:// URL no browser can open: a port past 65535, no host, a fragment', () => {
    for (const bad of ['ws://localhost:80800', 'ws://:8080', 'ws://localhost:8080/#x']) {
      expect(() => resolveFeedUrls({ queryUrl: bad, page })).toThrow(/\?feed= must be .*port up to 65535/);
      expect(() => resolveFeedUrls({ configuredUrl: bad, page })).toThrow(/FEED_URL/);
    }
  });
});
