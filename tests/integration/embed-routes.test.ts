/**
 * The feed service's embed routes over real HTTP: the `<tickwire-chart>` bundle (content type,
 * caching, cross-site loading) and the origin check embeds use to explain a refused connection.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedService } from '../../server/feed-service';
import { startTestFeed } from '../support/feed';

const BUNDLE = '/*! test bundle */ customElements.define("tickwire-chart", class extends HTMLElement {});\n';
let dir: string;
let service: FeedService;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tickwire-embed-'));
  writeFileSync(join(dir, 'tickwire-chart.js'), BUNDLE);
  service = await startTestFeed({
    embedBundlePath: join(dir, 'tickwire-chart.js'),
    gateway: { allowedOrigins: ['https://partner.example'], allowLocalhostOrigins: true },
  });
  base = `http://127.0.0.1:${service.port}`;
});

afterAll(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /embed/tickwire-chart.js', () => {
  it('serves the bundle as JavaScript any site may load, cacheable with an ETag', async () => {
    const response = await fetch(`${base}/embed/tickwire-chart.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(await response.text()).toBe(BUNDLE);
    const etag = response.headers.get('etag') ?? '';
    const again = await fetch(`${base}/embed/tickwire-chart.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('says how to build the bundle when it is missing', async () => {
    const bare = await startTestFeed({ embedBundlePath: join(dir, 'missing.js') });
    try {
      const response = await fetch(`http://127.0.0.1:${bare.port}/embed/tickwire-chart.js`);
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('npm run build:embed');
    } finally {
      await bare.close();
    }
  });
});

describe('GET /embed/check', () => {
  const check = async (init: { origin?: string; query?: string }) => {
    const response = await fetch(`${base}/embed/check${init.query ?? ''}`, { headers: init.origin ? { origin: init.origin } : {} });
    return {
      status: response.status,
      cors: response.headers.get('access-control-allow-origin'),
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  it("answers whether the Origin header's site may connect, readable from any site", async () => {
    const refused = await check({ origin: 'https://blog.example' });
    expect(refused).toEqual({
      status: 200,
      cors: '*',
      body: {
        origin: 'https://blog.example',
        originAllowed: false,
        reason:
          "https://blog.example is not on this feed's origin allowlist; the operator adds it with --allow-origin https://blog.example.",
      },
    });
    expect((await check({ origin: 'https://partner.example' })).body.originAllowed).toBe(true);
    expect((await check({ origin: 'http://127.0.0.1:5173' })).body.originAllowed).toBe(true);
  });

  it('takes ?origin= when no Origin header is sent, and refuses what is not an origin', async () => {
    expect((await check({ query: '?origin=https%3A%2F%2Fblog.example' })).body.originAllowed).toBe(false);
    expect((await check({})).body).toMatchObject({ origin: null, originAllowed: true });
    expect((await check({ query: '?origin=https%3A%2F%2Fblog.example%2Fpage' })).status).toBe(400);
  });

  it('reads ?origin= as a browser would send it: copied from the address bar, in any case, default port', async () => {
    for (const typed of ['https://partner.example/', 'HTTPS://Partner.Example', 'https://partner.example:443']) {
      const answer = await check({ query: `?origin=${encodeURIComponent(typed)}` });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ origin: 'https://partner.example', originAllowed: true });
    }
  });
});
