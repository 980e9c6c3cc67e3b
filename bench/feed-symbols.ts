/**
 * Asks a running feed service or gateway which symbols it serves, the way a client learns them: one
 * WebSocket connection, the `instruments` message that follows `hello`. A benchmark that runs the
 * CLIs as separate processes has no other handle on the instrument table.
 */
import WebSocket from 'ws';
import { SUBPROTOCOL_BINARY, decodeServerMessage } from '../lib/protocol';

/** How long to wait for the table to hold the expected number of instruments (ms). */
const SYMBOLS_TIMEOUT_MS = 30_000;

/**
 * The symbols of `url`'s instrument table once it lists at least `expected` of them (a gateway fed
 * over NATS may send a partial table first and upsert the rest), in id order.
 * @throws Error when the table does not reach `expected` within 30 s or the connection fails.
 */
export function feedSymbols(url: string, expected: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, SUBPROTOCOL_BINARY, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    const table = new Map<number, string>();
    const done = (error?: Error): void => {
      clearTimeout(timer);
      ws.terminate();
      if (error) reject(error);
      else resolve([...table.entries()].sort((a, b) => a[0] - b[0]).map(([, symbol]) => symbol));
    };
    const timer = setTimeout(
      () => done(new Error(`${url} listed ${table.size} instruments, not ${expected}, within ${SYMBOLS_TIMEOUT_MS} ms`)),
      SYMBOLS_TIMEOUT_MS,
    );
    ws.on('error', (err) => done(err));
    ws.on('message', (data: Buffer) => {
      const message = decodeServerMessage(data);
      if (message.type !== 'instruments') return;
      for (const entry of message.instruments) {
        if (entry.removed) table.delete(entry.id);
        else table.set(entry.id, entry.symbol);
      }
      if (table.size >= expected) done();
    });
  });
}
