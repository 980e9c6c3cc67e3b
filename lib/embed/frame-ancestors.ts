/**
 * Which sites may put the `/embed/...` pages in a frame: the CSP `frame-ancestors` directive
 * (CSP Level 3, https://www.w3.org/TR/CSP3/#directive-frame-ancestors), configured at runtime by
 * EMBED_FRAME_ANCESTORS (`npm start -- --frame-ancestors ...`).
 *
 * The default is `*`: an embed is read-only public market data with no session, cookies or
 * actions, so being framed by any site cannot be abused (no clickjacking target), and an embed
 * that cannot be framed is useless. Operators who want to restrict it list their sites.
 */

/** `frame-ancestors` sources when EMBED_FRAME_ANCESTORS is unset. */
export const DEFAULT_FRAME_ANCESTORS = '*';

/** Keywords CSP writes quoted; people may write them bare. */
const KEYWORDS = new Set(['self', 'none']);
// scheme-source ("https:") or host-source ("https://*.example.com:8443", "example.com", "*").
const SCHEME_SOURCE = /^[a-z][a-z0-9+.-]*:$/i;
const HOST_SOURCE = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(?:\d{1,5}|\*))?\/?$/i;

/** Outcome of {@link parseFrameAncestors}: the directive value, or why the setting was refused. */
export type FrameAncestorsResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

/**
 * Turns a setting ("https://blog.example.com https://intranet.example.com", commas allowed,
 * `self` / `none` quoted or not) into a `frame-ancestors` value. Empty or unset gives the default.
 * Anything that is not a CSP source (a `;` that would start another directive, a path, a quote)
 * is refused, so the header can never be bent into something else.
 */
export function parseFrameAncestors(setting: string | undefined): FrameAncestorsResult {
  const tokens = (setting ?? '').split(/[\s,]+/).filter((t) => t !== '');
  if (tokens.length === 0) return { ok: true, value: DEFAULT_FRAME_ANCESTORS };
  const sources: string[] = [];
  for (const token of tokens) {
    const bare = token.replace(/^'(.*)'$/, '$1').toLowerCase();
    if (KEYWORDS.has(bare)) sources.push(`'${bare}'`);
    else if (SCHEME_SOURCE.test(token) || HOST_SOURCE.test(token)) sources.push(token);
    else
      return {
        ok: false,
        error: `"${token}" is not a frame-ancestors source (use *, self, none, https:, or origins such as https://example.com)`,
      };
  }
  if (sources.includes("'none'") && sources.length > 1) return { ok: false, error: "'none' cannot be combined with other sources" };
  return { ok: true, value: sources.join(' ') };
}

/** The `Content-Security-Policy` header value for `/embed/*`; an invalid setting falls back to `'self'` (fail closed). */
export function embedContentSecurityPolicy(setting: string | undefined): string {
  const parsed = parseFrameAncestors(setting);
  return `frame-ancestors ${parsed.ok ? parsed.value : "'self'"}`;
}
