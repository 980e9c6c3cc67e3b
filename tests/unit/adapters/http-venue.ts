/** A local HTTP venue for the REST history tests: answers from a handler, records every request. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';

/** One answer as the fixtures hold it. */
export interface HttpSample {
  readonly sample: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** The samples of a `*-klines.ndjson` / `*-candles.ndjson` fixture, by name. */
export function loadHttpSamples(file: string): ReadonlyMap<string, HttpSample> {
  const text = readFileSync(new URL(`./fixtures/venues/${file}`, import.meta.url), 'utf8');
  const samples = text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as HttpSample);
  return new Map(samples.map((s) => [s.sample, s]));
}

/** A request as the server saw it, with its arrival time (performance.now(), ms). */
export interface SeenRequest {
  readonly url: URL;
  readonly atMs: number;
}

/** Starts a server on 127.0.0.1 (free port); `answer` builds each response (a raw string body is sent as is). */
export async function httpVenue(
  answer: (url: URL, index: number) => HttpSample | { status: number; headers?: Record<string, string>; raw: string },
) {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const index = requests.length;
    requests.push({ url, atMs: performance.now() });
    const reply = answer(url, index);
    const body = 'raw' in reply ? reply.raw : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Collects every page of a history walk. */
export async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push([...page]);
  return out;
}
