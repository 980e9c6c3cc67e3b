/**
 * Next.js proxy (Next 16's name for middleware; it runs on Node.js for every matching request):
 * sends `Content-Security-Policy: frame-ancestors ...` with the `/embed/*` pages only, from
 * EMBED_FRAME_ANCESTORS read at request time, so moving an embed to another site needs a restart,
 * not a rebuild. The dashboard's pages keep their framing policy (none set here).
 * See lib/embed/frame-ancestors.ts for the accepted values and docs/embedding.md.
 */
import { NextResponse } from 'next/server';
import { embedContentSecurityPolicy, parseFrameAncestors } from './lib/embed/frame-ancestors';

let warned = false;

export function proxy(): NextResponse {
  const setting = process.env['EMBED_FRAME_ANCESTORS'];
  const parsed = parseFrameAncestors(setting);
  if (!parsed.ok && !warned) {
    warned = true;
    console.warn(`EMBED_FRAME_ANCESTORS ignored, embeds may only be framed by this site: ${parsed.error}`);
  }
  const response = NextResponse.next();
  response.headers.set('Content-Security-Policy', embedContentSecurityPolicy(setting));
  return response;
}

export const config = {
  matcher: ['/embed/:path*'],
};
