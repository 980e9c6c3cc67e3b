import { describe, expect, it } from 'vitest';
import {
  EmbedOptionError,
  cssHeight,
  feedHttpOrigin,
  feedUrlFromHttp,
  parseFeedUrl,
  parseHeight,
  parseIntervalOption,
  parseSwitch,
  parseSymbol,
  parseTheme,
} from '../../../lib/embed/embed-options';

describe('embed options', () => {
  describe('parseIntervalOption', () => {
    it('reads labels and seconds, and defaults to 1m', () => {
      expect(parseIntervalOption('5s')).toBe(5);
      expect(parseIntervalOption('1h')).toBe(3600);
      expect(parseIntervalOption('4h')).toBe(14400);
      expect(parseIntervalOption('1D')).toBe(86400);
      expect(parseIntervalOption(' 1d ')).toBe(86400);
      expect(parseIntervalOption('1W')).toBe(604800);
      expect(parseIntervalOption('1w')).toBe(604800);
      expect(parseIntervalOption(604800)).toBe(604800);
      expect(parseIntervalOption('300')).toBe(300);
      expect(parseIntervalOption(900)).toBe(900);
      expect(parseIntervalOption(undefined)).toBe(60);
      expect(parseIntervalOption('')).toBe(60);
    });

    it('refuses an interval the feed does not build, listing the ones it does', () => {
      expect(() => parseIntervalOption('2m')).toThrow(EmbedOptionError);
      expect(() => parseIntervalOption('2m')).toThrow('Unknown interval "2m": use 1s, 5s, 1m, 5m, 15m, 1h, 4h, 1D or 1W.');
    });
  });

  describe('parseSymbol', () => {
    it('accepts bare and venue-qualified names, trimmed', () => {
      expect(parseSymbol(' BTC-USD ')).toBe('BTC-USD');
      expect(parseSymbol('BINANCE:BTCUSDT')).toBe('BINANCE:BTCUSDT');
    });

    it('refuses an empty or malformed name with an example', () => {
      expect(() => parseSymbol('')).toThrow('No instrument given: set symbol, e.g. symbol="BTC-USD".');
      expect(() => parseSymbol('<script>')).toThrow(/is not an instrument name/);
      expect(() => parseSymbol('A'.repeat(98))).toThrow(/is not an instrument name/);
    });

    it('accepts the longest name the feed can list: a 32-character venue and a 64-character symbol', () => {
      const longest = `${'V'.repeat(32)}:${'S'.repeat(64)}`;
      expect(parseSymbol(longest)).toBe(longest);
    });
  });

  describe('parseTheme', () => {
    it('reads light, dark, auto (and system as auto)', () => {
      expect(parseTheme('Dark')).toBe('dark');
      expect(parseTheme('system')).toBe('auto');
      expect(parseTheme(undefined)).toBe('auto');
      expect(() => parseTheme('blue')).toThrow('Unknown theme "blue": use light, dark or auto.');
    });
  });

  describe('parseHeight', () => {
    it('reads pixels and CSS lengths', () => {
      expect(parseHeight('360')).toBe(360);
      expect(parseHeight('360px')).toBe(360);
      expect(parseHeight(500)).toBe(500);
      expect(parseHeight('100%')).toBe('100%');
      expect(parseHeight('60vh')).toBe('60vh');
      expect(parseHeight(undefined)).toBe(400);
      expect(parseHeight(undefined, '100%')).toBe('100%');
    });

    it('refuses heights too small to draw candles in, and non-lengths', () => {
      expect(() => parseHeight('50')).toThrow(/out of range: use 120 to 4000 pixels/);
      expect(() => parseHeight('tall')).toThrow(/Unknown height "tall"/);
      expect(() => parseHeight('1px;color:red')).toThrow(EmbedOptionError);
    });
  });

  describe('parseSwitch', () => {
    it('reads on/off and friends', () => {
      expect(parseSwitch('off', true, 'volume')).toBe(false);
      expect(parseSwitch('ON', false, 'volume')).toBe(true);
      expect(parseSwitch(undefined, true, 'volume')).toBe(true);
      expect(() => parseSwitch('maybe', true, 'volume')).toThrow('Unknown volume "maybe": use on or off.');
    });
  });

  describe('parseFeedUrl', () => {
    it('accepts ws and wss URLs only', () => {
      expect(parseFeedUrl('ws://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080');
      expect(parseFeedUrl('wss://feed.example.com/tickwire')).toBe('wss://feed.example.com/tickwire');
      expect(() => parseFeedUrl('http://feed')).toThrow(/feed must be the feed's WebSocket URL/);
      expect(() => parseFeedUrl('http://feed', 'feedUrl')).toThrow(/^feedUrl must be/);
    });

    it('refuses a URL no WebSocket can open (a port past 65535, no host, a fragment) instead of retrying it forever', () => {
      for (const url of ['ws://127.0.0.1:808080', 'ws://:8080', 'ws://feed:8080/#chart']) {
        expect(() => parseFeedUrl(url), url).toThrow(`feed must be the feed's WebSocket URL (ws://host:port or wss://host), got "${url}".`);
      }
    });
  });

  it('maps feed URLs to and from their HTTP origin', () => {
    expect(feedHttpOrigin('ws://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(feedHttpOrigin('wss://feed.example.com/x')).toBe('https://feed.example.com');
    expect(feedUrlFromHttp('https://feed.example.com')).toBe('wss://feed.example.com');
    expect(feedUrlFromHttp('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080');
  });

  it('writes numeric heights as pixels', () => {
    expect(cssHeight(300)).toBe('300px');
    expect(cssHeight('50vh')).toBe('50vh');
  });
});
