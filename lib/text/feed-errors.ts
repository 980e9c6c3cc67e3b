/**
 * What went wrong with a feed, as the sentence a person reads. The dashboard's banners
 * (components/providers/feed-bridge.ts) and the embeds' problems (lib/embed/) say the same thing
 * in the same words; each adds its own hint (what to do differs on a dashboard and on a partner's page).
 */

/** Who reads the feed, as a sentence names it ("this dashboard speaks version 2"). */
export type FeedReader = 'dashboard' | 'chart';

/**
 * The feed could not be reached at all (down, wrong address, blocked). Given several gateway URLs
 * (a client that fails over between them), the sentence names every one it tried.
 */
export function feedUnreachableText(feedUrl: string | readonly string[]): string {
  const urls = typeof feedUrl === 'string' ? [feedUrl] : feedUrl;
  if (urls.length > 1) return `Cannot reach the Tickwire feed at any of ${urls.join(', ')}.`;
  return `Cannot reach the Tickwire feed at ${urls[0] ?? ''}.`;
}

/** The feed speaks another protocol version than this client (`ProtocolVersionError`). */
export function protocolMismatchText(feedUrl: string, serverVersion: number, clientVersion: number, reader: FeedReader): string {
  return `The Tickwire feed at ${feedUrl} speaks protocol version ${serverVersion}; this ${reader} speaks version ${clientVersion}.`;
}

/** The feed lists no instrument by this name (error code UnknownInstrument). */
export function unknownInstrumentText(name: string): string {
  return `This feed has no instrument "${name}".`;
}

/** The feed answered a request with an error (`ServerRequestError`): what was refused, and the feed's words. */
export function requestRefusedText(subject: string, serverMessage: string): string {
  return `The feed refused ${subject}: ${serverMessage}`;
}

/** The feed closed the connection for a policy reason (`RemoteCloseError`, 1008): its reason, else the code. */
export function feedClosedText(feedUrl: string, reason: string, closeCode: number): string {
  return `The Tickwire feed at ${feedUrl} closed the connection: ${reason || `policy (${closeCode})`}.`;
}
