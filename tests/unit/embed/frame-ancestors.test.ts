import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAME_ANCESTORS, embedContentSecurityPolicy, parseFrameAncestors } from '../../../lib/embed/frame-ancestors';

describe('parseFrameAncestors', () => {
  it('defaults to any site when unset or empty', () => {
    expect(parseFrameAncestors(undefined)).toEqual({ ok: true, value: DEFAULT_FRAME_ANCESTORS });
    expect(parseFrameAncestors('  ')).toEqual({ ok: true, value: '*' });
  });

  it('quotes the self and none keywords and keeps origins, comma or space separated', () => {
    expect(parseFrameAncestors('self, https://blog.example.com  https://*.example.org:8443')).toEqual({
      ok: true,
      value: "'self' https://blog.example.com https://*.example.org:8443",
    });
    expect(parseFrameAncestors("'none'")).toEqual({ ok: true, value: "'none'" });
    expect(parseFrameAncestors('https:')).toEqual({ ok: true, value: 'https:' });
  });

  it('refuses anything that could start another directive or is not a source', () => {
    expect(parseFrameAncestors("https://a.example; script-src 'unsafe-inline'").ok).toBe(false);
    expect(parseFrameAncestors('https://a.example/path/page').ok).toBe(false);
    expect(parseFrameAncestors('none https://a.example')).toEqual({ ok: false, error: "'none' cannot be combined with other sources" });
  });
});

describe('embedContentSecurityPolicy', () => {
  it('sends the configured sources, and only this site when the setting is invalid', () => {
    expect(embedContentSecurityPolicy(undefined)).toBe('frame-ancestors *');
    expect(embedContentSecurityPolicy('https://blog.example.com')).toBe('frame-ancestors https://blog.example.com');
    expect(embedContentSecurityPolicy('x;y')).toBe("frame-ancestors 'self'");
  });
});
