import { describe, expect, it } from 'vitest';
import { isOriginAllowed, parseOfferedProtocols, selectSubprotocol } from '../../../server/gateway/handshake';
import { resolveGatewayOptions } from '../../../server/gateway/options';
import { TokenBucket } from '../../../server/gateway/rate-limit';

describe('handshake', () => {
  describe('#isOriginAllowed', () => {
    const allow = ['https://charts.example.com'];
    it('allows a request without Origin (not a browser)', () => {
      expect(isOriginAllowed(undefined, allow, false)).toBe(true);
    });
    it('allows an exact listed origin and refuses a look-alike', () => {
      expect(isOriginAllowed('https://charts.example.com', allow, false)).toBe(true);
      expect(isOriginAllowed('https://charts.example.com.evil.io', allow, false)).toBe(false);
      expect(isOriginAllowed('http://charts.example.com', allow, false)).toBe(false);
    });
    it('allows localhost origins on any port only when asked to', () => {
      expect(isOriginAllowed('http://localhost:3123', allow, true)).toBe(true);
      expect(isOriginAllowed('http://127.0.0.1:9', allow, true)).toBe(true);
      expect(isOriginAllowed('http://[::1]:3000', allow, true)).toBe(true);
      expect(isOriginAllowed('http://localhost:3123', allow, false)).toBe(false);
      expect(isOriginAllowed('http://localhost.evil.io', allow, true)).toBe(false);
    });
    it('allows everything with "*" and refuses garbage otherwise', () => {
      expect(isOriginAllowed('https://anything.io', ['*'], false)).toBe(true);
      expect(isOriginAllowed('null', allow, true)).toBe(false);
    });
  });

  describe('#selectSubprotocol', () => {
    it('prefers binary over JSON whatever the order of the client offers', () => {
      expect(selectSubprotocol(parseOfferedProtocols('foo, tickwire.v2.json, tickwire.v2'))).toBe('tickwire.v2');
      expect(selectSubprotocol(parseOfferedProtocols('tickwire.v2, tickwire.v2.json'))).toBe('tickwire.v2');
      expect(selectSubprotocol(parseOfferedProtocols('tickwire.v2'))).toBe('tickwire.v2');
    });
    it('speaks JSON when that is the only supported offer', () => {
      expect(selectSubprotocol(parseOfferedProtocols('chat, tickwire.v2.json'))).toBe('tickwire.v2.json');
    });
    it('finds none in an empty or foreign offer, v1 included', () => {
      expect(selectSubprotocol(parseOfferedProtocols(undefined))).toBeUndefined();
      expect(selectSubprotocol(parseOfferedProtocols('tickwire.v1, tickwire.v1.json, chat'))).toBeUndefined();
    });
  });
});

describe('resolveGatewayOptions', () => {
  it('fills defaults and names a bad option', () => {
    expect(resolveGatewayOptions({}).flushIntervalMs).toBe(25);
    expect(() => resolveGatewayOptions({ flushIntervalMs: 0 })).toThrow(/"flushIntervalMs"/);
    expect(() => resolveGatewayOptions({ softBufferLimitBytes: 10, hardBufferLimitBytes: 5 })).toThrow(/hardBufferLimitBytes/);
  });

  it.each(['softBufferLimitBytes', 'hardBufferLimitBytes', 'maxConflatedMs', 'hardLimitGraceMs', 'slowCloseTimeoutMs'] as const)(
    'names the slow-consumer option %s when it is not a positive number',
    (key) => {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => resolveGatewayOptions({ [key]: bad }), String(bad)).toThrow(new RegExp(`"${key}" must be a positive number`));
      }
    },
  );

  it('refuses a timer delay Node cannot wait, which it would fire after 1 ms', () => {
    expect(() => resolveGatewayOptions({ flushIntervalMs: 2 ** 31 })).toThrow(/"flushIntervalMs" must be at most 2147483647 ms/);
    expect(() => resolveGatewayOptions({ slowCloseTimeoutMs: 1e12 })).toThrow(/"slowCloseTimeoutMs"/);
    expect(resolveGatewayOptions({ wsPingIntervalMs: 2 ** 31 - 1 }).wsPingIntervalMs).toBe(2 ** 31 - 1);
  });

  it('brings allowed origins to the form browsers send in Origin', () => {
    const { allowedOrigins } = resolveGatewayOptions({
      allowedOrigins: ['https://charts.example.com/', 'HTTPS://Charts.Example.COM:443', 'http://blog.example.com:8080', '*', 'null'],
    });
    expect(allowedOrigins).toEqual([
      'https://charts.example.com',
      'https://charts.example.com',
      'http://blog.example.com:8080',
      '*',
      'null',
    ]);
  });

  it('refuses an allowed origin that is not an origin, naming the option and the entry', () => {
    for (const entry of [
      'charts.example.com',
      'https://example.com/app',
      'ftp://example.com',
      'https://*.example.com',
      'https://example.com/?a',
      '',
    ]) {
      expect(() => resolveGatewayOptions({ allowedOrigins: [entry] }), entry).toThrow(TypeError);
    }
    expect(() => resolveGatewayOptions({ allowedOrigins: ['charts.example.com'] })).toThrow(
      /"allowedOrigins": "charts\.example\.com" is not an origin/,
    );
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(400)).toBe(false);
    expect(bucket.take(500)).toBe(true);
  });
});
