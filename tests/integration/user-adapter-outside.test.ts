/**
 * A user's adapter that lives outside the checkout, as docs/adapters.md tells a stranger to run it:
 * files in a scratch folder under the OS temp dir (no package.json, no node_modules) import
 * `tickwire/adapter` and `ws`, and `npm --prefix <tickwire> run feed -- --adapter ./desk.ts` run
 * from that folder streams their ticks to a real WebSocket client.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { FeedClient } from '../../lib/client';
import { ROOT, waitFor } from './adapters-support';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tickwire-user-feeds-')));
const children: ChildProcessWithoutNullStreams[] = [];
const clients: FeedClient[] = [];
let venue: WebSocketServer | undefined;

/** Kills a process group we started (npm, its shell and the feed), ignoring one already gone. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already exited
  }
}

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const child of children.splice(0)) if (child.pid !== undefined) killGroup(child.pid);
  venue?.close();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/**
 * The guide's own example (docs/adapters.md, "Your adapter in your own folder"): a `.ts` file run as
 * CommonJS (no "type": "module" around it) on the project's venue-socket helper.
 */
const DESK_TS = /```ts\n(\/\/ ~\/feeds\/desk\.ts\n[\s\S]*?)```/.exec(readFileSync(join(ROOT, 'docs/adapters.md'), 'utf8'))?.[1] ?? '';

/** An ES-module adapter that imports \`ws\` itself. */
const TAPE_MTS = `import WebSocket from 'ws';
import type { AdapterSink, FeedAdapter } from 'tickwire/adapter';

export function createAdapter(options: { url?: string } = {}): FeedAdapter {
  let socket: WebSocket | undefined;
  return {
    name: 'tape',
    venue: 'TAPE',
    async start(sink: AdapterSink) {
      sink.instruments([{ symbol: 'ETH/USD', priceDecimals: 1, sizeDecimals: 4 }]);
      socket = new WebSocket(String(options.url));
      socket.on('open', () => sink.status('live'));
      socket.on('message', (data) => {
        const m = JSON.parse(String(data)) as { price: string; qty: string };
        sink.trade({ symbol: 'ETH/USD', price: m.price, size: m.qty, side: 'sell' });
      });
    },
    async stop() {
      socket?.terminate();
    },
  };
}
`;

/** A venue: sends a trade to each connection every 20 ms. */
async function startVenue(): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  venue = server;
  await new Promise((resolve) => server.once('listening', resolve));
  let id = 0;
  server.on('connection', (socket) => {
    const timer = setInterval(() => socket.send(JSON.stringify({ price: (60000 + (id % 10)).toFixed(1), qty: '0.0100', id: ++id })), 20);
    socket.on('close', () => clearInterval(timer));
  });
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('an adapter in a folder outside the checkout', () => {
  it('runs with npm --prefix <tickwire> run feed from its folder and streams to a client', async () => {
    expect(relative(ROOT, folder).startsWith('..')).toBe(true);
    expect(DESK_TS).toContain("from 'tickwire/adapter'");
    writeFileSync(join(folder, 'desk.ts'), DESK_TS);
    writeFileSync(join(folder, 'tape.mts'), TAPE_MTS);
    const venueUrl = await startVenue();

    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.INIT_CWD;
    const args = [
      '--prefix',
      ROOT,
      'run',
      'feed',
      '--',
      '--port',
      '0',
      '--adapter',
      './desk.ts',
      '--adapter-opt',
      `url=${venueUrl}`,
      '--adapter',
      './tape.mts',
      '--adapter-opt',
      `url=${venueUrl}`,
    ];
    // Its own process group: npm runs the feed as a grandchild, which killing npm alone would orphan.
    const child = spawn('npm', args, { cwd: folder, env, detached: true });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', () => {});
    let url: string | undefined;
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`npm run feed exited ${child.exitCode}: ${stderr}`);
        url = /"msg":"feed service listening","url":"(ws:\/\/[^"]+)"/.exec(stderr)?.[1];
        return url !== undefined;
      },
      20_000,
      'the feed to listen',
    );

    const client = new FeedClient({ url: url as string, transport: (u, protocols) => new WebSocket(u, protocols) });
    clients.push(client);
    const trades = new Map<string, string[]>();
    client.on('batch', (b) => {
      for (const u of b.updates) {
        if (u.kind !== 'trade') continue;
        const symbol = client.instruments.get(u.instrumentId)?.symbol ?? '?';
        trades.set(symbol, [...(trades.get(symbol) ?? []), client.instruments.formatPrice(u.instrumentId, u.price) ?? '']);
      }
    });
    client.connect();
    await client.subscribe(['DESK:XBT/USD', 'TAPE:ETH/USD']);
    await waitFor(
      () => (trades.get('DESK:XBT/USD')?.length ?? 0) > 5 && (trades.get('TAPE:ETH/USD')?.length ?? 0) > 5,
      10_000,
      'trades of both user adapters',
    );
    expect(trades.get('DESK:XBT/USD')?.every((p) => /^600\d\d\.\d$/.test(p))).toBe(true);
    expect(stderr).not.toMatch(/Cannot find (module|package)/);
  }, 60_000);
});
