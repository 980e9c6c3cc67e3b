/**
 * WebSocket URL checks shared by the feed client, the pages, the embeds and every CLI (`--url`,
 * `--feed-url`, `?feed=`), so a URL one of them accepts is one all of them accept.
 */

/**
 * True for a `ws://` or `wss://` URL a WebSocket can open: one the WHATWG URL parser accepts, with
 * a host and no fragment (the WebSocket constructor throws a SyntaxError for anything else). So a
 * typo such as `ws://localhost:80800` (a port past 65535) or `ws://:8080` is refused where the URL
 * is given, instead of failing every connection attempt while the client retries forever.
 */
export function isWebSocketUrl(text: string): boolean {
  if (!/^wss?:\/\/[^\s/]/i.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname !== '' && url.hash === '';
  } catch {
    return false;
  }
}
