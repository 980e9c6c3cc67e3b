/**
 * `npm run tail -- [options] SYMBOL...`: streams a Tickwire gateway to the terminal. One NDJSON
 * line per market update on stdout; connection events, gaps and errors as NDJSON on stderr. With
 * `--history n`, each symbol's last n bars come first (marked `"history":true`), then the live stream.
 * Node only (it uses `ws` and `process`), so it lives with the other CLIs, not in lib/client.
 *
 * Exit codes: 0 on Ctrl-C / SIGTERM or when stdout's reader goes away (`| head`), 1 when there is
 * nothing to tail (every symbol unknown, or a bare symbol several venues list) or the server ended
 * the session for good, 2 on a bad command line.
 */
import WebSocket from 'ws';
import { ServerRequestError } from '../../lib/client/errors';
import { FeedClient } from '../../lib/client/feed-client';
import { TAIL_HELP } from './help';
import { parseTailArgs, UsageError, type TailArgs } from './tail-args';
import { updateRecord, type UpdateOrigin } from './tail-format';
import { resolveTyped } from '../../lib/market/symbols';
import type { MarketUpdate, Instrument } from '../../lib/market/types';

/**
 * Most bytes queued on stdout before records are dropped (and counted on stderr): a slow reader
 * must not make this process buffer a fast feed without bound.
 */
const MAX_STDOUT_BACKLOG_BYTES = 8 * 1024 * 1024;

const EXIT_OK = 0;
const EXIT_NOTHING_TO_TAIL = 1;
const EXIT_USAGE = 2;

function control(event: string, fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ event, time: new Date().toISOString(), ...fields })}\n`);
}

function exit(code: number): never {
  process.exit(code);
}

function main(argv: readonly string[]): void {
  let args: TailArgs;
  try {
    const parsed = parseTailArgs(argv, process.env);
    if (parsed.help) {
      process.stdout.write(`${TAIL_HELP}\n`);
      return;
    }
    args = parsed.args;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tail: ${error.message}\n\n${TAIL_HELP}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  run(args);
}

function run(args: TailArgs): void {
  const client = new FeedClient({
    url: args.urls,
    protocol: args.protocol,
    transport: (url, protocols) => new WebSocket(url, protocols),
  });
  let stopping = false;
  let dropped = 0;

  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    client.close();
    // Let what is already queued on stdout reach the reader, then leave.
    process.stdout.write('', () => exit(code));
  };

  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      stopping = true;
      client.close();
      exit(EXIT_OK);
    }
    control('error', { name: error.name, message: error.message });
    exit(EXIT_NOTHING_TO_TAIL);
  });
  process.on('SIGINT', () => stop(EXIT_OK));
  process.on('SIGTERM', () => stop(EXIT_OK));

  const print = (update: MarketUpdate, instrument: Instrument | undefined, origin: UpdateOrigin): void => {
    if (stopping || !args.kinds.has(update.kind)) return;
    if (process.stdout.writableLength > MAX_STDOUT_BACKLOG_BYTES) {
      dropped++;
      return;
    }
    if (dropped > 0) {
      control('dropped', { lines: dropped, reason: 'stdout backlog' });
      dropped = 0;
    }
    process.stdout.write(`${JSON.stringify(updateRecord(update, instrument, origin))}\n`);
  };

  client.on('state', (s) => {
    control('state', {
      state: s.newState,
      from: s.oldState,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.closeCode !== undefined ? { closeCode: s.closeCode } : {}),
      ...(s.retryInMs !== undefined ? { retryInMs: s.retryInMs } : {}),
    });
    if (s.newState === 'closed' && !stopping) stop(EXIT_NOTHING_TO_TAIL);
  });
  client.on('hello', (h) => control('hello', { url: h.url, serverId: h.serverId, epoch: h.epoch }));
  client.on('epoch', (e) => control('epoch', { ...e }));
  client.on('status', (s) => control('status', { venues: s.venues }));
  client.on('gap', (g) => control('gap', { ...g }));
  client.on('error', (e) =>
    control('error', { name: e.name, message: e.message, ...(e instanceof ServerRequestError ? { code: e.code } : {}) }),
  );
  client.on('snapshot', (s) => {
    control('snapshot', {
      symbol: s.instrument?.symbol ?? `#${s.instrumentId}`,
      seq: s.seq,
      recovered: s.recovered,
      updates: s.updates.length,
    });
    for (const update of s.updates) print(update, s.instrument, { snapshot: true });
  });
  client.on('batch', (b) => {
    for (const update of b.updates) print(update, client.instruments.get(update.instrumentId), { conflated: b.conflated });
  });

  // Subscribe once the first instrument table is in, so unknown symbols are named one by one.
  let subscribed = false;
  client.on('instruments', () => {
    if (subscribed) return;
    subscribed = true;
    if (args.all) {
      client.subscribe('all', args.interval).catch(() => stop(EXIT_NOTHING_TO_TAIL));
      return;
    }
    const known: string[] = [];
    for (const symbol of args.symbols) {
      // As typed: "btc-usd" tails BTC-USD when no instrument is named exactly so, as dashboard links do.
      const resolution = resolveTyped(client.instruments.byId.values(), symbol);
      if (resolution.kind === 'found') {
        if (!known.includes(resolution.instrument.symbol)) known.push(resolution.instrument.symbol);
      } else if (resolution.kind === 'ambiguous') {
        // A bare symbol several venues list (docs/protocol.md 2.9): say so, and what to write instead.
        const candidates = resolution.candidates.map((i) => i.symbol);
        control('error', {
          name: 'AmbiguousInstrument',
          symbol,
          candidates,
          message: `ambiguous symbol ${symbol}: several venues list it, name one (${candidates.join(' or ')})`,
        });
      } else {
        control('error', { name: 'UnknownInstrument', symbol, message: `unknown symbol ${symbol}: the server has no such instrument` });
      }
    }
    if (known.length === 0) {
      control('exit', { message: 'nothing to tail: no symbol names one instrument' });
      stop(EXIT_NOTHING_TO_TAIL);
      return;
    }
    const subscribe = (): void => {
      // The server's refusal is reported by the 'error' handler; with nothing subscribed, leave.
      client.subscribe(known, args.interval).catch(() => stop(EXIT_NOTHING_TO_TAIL));
    };
    if (args.history > 0 && args.interval !== 0) void printHistory(known, args.interval, args.history).then(subscribe);
    else subscribe();
  });

  /** Prints the last `count` bars of each symbol, in order, as history records; a refusal goes to stderr. */
  const printHistory = async (symbols: readonly string[], interval: number, count: number): Promise<void> => {
    for (const symbol of symbols) {
      try {
        const page = await client.history(symbol, interval, { count });
        control('history', { symbol, bars: page.bars.length, more: page.more });
        for (const bar of page.bars) print(bar, page.instrument, { history: true });
      } catch (error) {
        if (stopping) return;
        const e = error as Error;
        control('error', {
          name: e.name,
          message: e.message,
          symbol,
          ...(error instanceof ServerRequestError ? { code: error.code } : {}),
        });
      }
    }
  };

  client.connect();
}

main(process.argv.slice(2));
