/**
 * The `--help` page of every CLI: the flag lines come from the flag table (flag-table.ts), so a
 * flag, its default and its environment variable are listed exactly as they are parsed; this file
 * adds only titles, notes and examples.
 */
import { DEFAULT_FEED_URL } from '../../lib/net/feed-address';
import { formatHelp } from './args';
import { BUILD_EMBED_FLAGS, FEED_FLAGS, GATEWAY_FLAGS, INGEST_FLAGS, LAUNCH_FLAGS, RECORD_FLAGS, TAIL_FLAGS } from './flag-table';

/** Under the adapter flags of `feed` and `record`. */
const ADAPTER_PATHS_NOTE = `Relative paths (--adapter, --adapter-config, replay's file=...) are relative to the folder you ran
npm in, not to the package root.`;

/**
 * How to see the gateway conflate from outside, as tried on loopback (README "Watching conflation"
 * says the same). The kernel's socket buffers hold about 4 MB before the gateway's own buffer grows,
 * so it takes a small soft limit, a fast simulator and a stopped reader.
 */
export const WATCHING_CONFLATION = `Watching conflation:
  A reader that falls behind gets conflated batches (the latest quote, bar and session figures
  per instrument), not a growing queue. On loopback the kernel holds about 4 MB for a stopped
  reader first, so use a small limit and a fast feed, and give the paused reader time:
    npm run feed -- --soft-buffer-bytes 16384 --rate 2000 --heartbeat-ms 20000 --max-conflated-ms 60000
    npm run tail -- --all --kinds quote > quotes.ndjson     (Ctrl-Z, wait 8 s, fg)
    grep -c '"conflated":true' quotes.ndjson
  Tried on a 2-core machine: /healthz said "conflatingClients":1 three seconds into the pause;
  after fg, tail read the ~150,000 quotes already queued, and batches of 20 quotes (one per
  instrument) marked "conflated":true followed about 14 s later. Paused past 3 heartbeats, tail
  reconnects and gets a fresh snapshot instead; past --max-conflated-ms, the feed closes it 1013.
  A blocked pipe (tail | slow reader) does not stop tail reading: it holds up to 8 MiB of lines.`;

/** `npm run feed -- --help`. */
export const FEED_HELP = formatHelp(FEED_FLAGS, {
  title: 'Tickwire feed service',
  usage: 'npm run feed -- [options]',
  groupNotes: { Adapters: ADAPTER_PATHS_NOTE },
  footer: `${WATCHING_CONFLATION}

Health: GET http://<host>:<port>/healthz
Protocol: docs/protocol.md   Adapters: docs/adapters.md`,
});

/** `npm run ingest -- --help`. */
export const INGEST_HELP = formatHelp(INGEST_FLAGS, {
  title: 'Tickwire ingest: adapters -> normaliser -> NATS JetStream (the publishing half of a scaled deployment)',
  usage: 'npm run ingest -- --nats <url> [adapter and simulator flags as npm run feed] [options]',
  groupNotes: { Adapters: ADAPTER_PATHS_NOTE },
  footer: `A second ingest with the same adapters stands by and takes over within about 1.25 x --lease-ms
of the first one dying (its lease in the KV bucket), continuing every sequence under the same epoch.
Example (nats-server -js -sd /var/lib/nats running on 127.0.0.1:4222):
  npm run ingest -- --nats nats://127.0.0.1:4222 --instruments 100 --rate 200
  npm run gateway -- --nats nats://127.0.0.1:4222 --port 8081
Health: GET http://<host>:<port>/healthz ("role": "active" or "standby")
Scaling: docs/scaling.md   Adapters: docs/adapters.md`,
});

/** `npm run gateway -- --help`. */
export const GATEWAY_HELP = formatHelp(GATEWAY_FLAGS, {
  title: 'Tickwire gateway: WebSocket clients fed from NATS JetStream (the serving half of a scaled deployment)',
  usage: 'npm run gateway -- --nats <url> [--port <n>] [options]',
  footer: `It receives only the instruments its clients hold, warming each from the active ingest first, so
its snapshots and resumes equal every other gateway's: clients may fail over between gateways
(give the client every URL: npm run tail -- --url ws://a:8081,ws://b:8082 BTC-USD).
Health: GET http://<host>:<port>/healthz ("upstream": {"state": "connected" | "lost"})
Scaling: docs/scaling.md   Protocol: docs/protocol.md`,
});

/** `npm start -- --help`. */
export const LAUNCH_HELP = formatHelp(LAUNCH_FLAGS, {
  title: 'Tickwire: feed service + dashboard',
  usage: 'npm start -- [options]        (npm run dev -- [options] for development)',
  footer: `Then open http://localhost:<port>. The page may also be pointed at any feed with ?feed=ws://host:port.
Stopping the launcher (Ctrl-C, SIGTERM, even kill -9) stops the dashboard and the feed with it.`,
});

/** `npm run record -- --help`. */
export const RECORD_HELP = formatHelp(RECORD_FLAGS, {
  title: 'Tickwire recorder: writes any adapter\'s normalised stream as NDJSON that "replay" plays back',
  usage: 'npm run record -- [--adapter <name|path> [--adapter-opt k=v ...]] --out <file|-> [options]',
  groupNotes: { Adapters: ADAPTER_PATHS_NOTE },
  footer: `Example:
  npm run record -- --adapter simulated --adapter-opt instruments=3 --out sim.ndjson --seconds 60
  npm run feed -- --adapter replay --adapter-opt file=sim.ndjson --adapter-opt speed=10`,
});

/** `npm run tail -- --help`. */
export const TAIL_HELP = formatHelp(TAIL_FLAGS, {
  title: `Prints one NDJSON line per market update on stdout (prices and sizes as exact decimal strings,
times as ISO-8601 with microseconds); connection events, gaps and errors go to stderr as NDJSON.
An update the server conflated for a slow reader carries "conflated":true; with --history n, each
SYMBOL's last n bars of --interval come first, carrying "history":true, then the live stream.
A SYMBOL is a bare symbol (BTC-USD), or the full name (SIM:BTC-USD) when several venues list it;
any case works (btc-usd) when only one instrument matches it that way.`,
  usage: 'npm run tail -- [options] SYMBOL...',
  footer: `Example: npm run tail -- --url ${DEFAULT_FEED_URL} --interval 1m BTC-USD ETH-USD
         npm run tail -- --history 300 --interval 1m BTC-USD

${WATCHING_CONFLATION}`,
});

/** `npm run build:embed -- --help`. */
export const BUILD_EMBED_HELP = formatHelp(BUILD_EMBED_FLAGS, {
  title: 'Builds the embeddable <tickwire-chart> bundle and the tickwire/react entry into dist/ (docs/embedding.md)',
  usage: 'npm run build:embed -- [--check | --if-stale]',
});
