import { describe, expect, it } from 'vitest';
import { isWebSocketUrl } from '../../../lib/net/url';

describe('isWebSocketUrl', () => {
  it('accepts ws and wss URLs a WebSocket can open', () => {
    for (const url of ['ws://localhost:8080', 'wss://feed.example.com/tickwire?key=1', 'ws://[::1]:8080', 'WS://Host:8080']) {
      expect(isWebSocketUrl(url), url).toBe(true);
    }
  });

  it('refuses what the WebSocket constructor would throw on: a bad port, no host, a fragment, another scheme', () => {
    for (const url of ['ws://localhost:80800', 'ws://:8080', 'ws:///x', 'ws://feed:8080/#x', 'http://feed:8080', 'ws://a b']) {
      expect(isWebSocketUrl(url), url).toBe(false);
    }
  });
});
