/**
 * The `--help` page of every CLI: the flag lines come from the flag table (flag-table.ts), so a
 * flag, its default and its environment variable are listed exactly as they are parsed; this file
 * adds only titles, notes and examples.
 */
import { DEFAULT_FEED_URL } from '../../lib/net/feed-address';
import { formatHelp } from './args';
import { BUILD_EMBED_FLAGS, FEED_FLAGS, LAUNCH_FLAGS, RECORD_FLAGS, TAIL_FLAGS } from './flag-table';

/** Under the adapter flags of `feed` and `record`. */
const ADAPTER_PATHS_NOTE = `Relative paths (--adapter, --adapter-config, replay's file=...) are relative to the folder you ran
npm in, not to the package root.`;

/**
 * How to see the gateway conflate from outside (README "Watching conflation" says the same).
 * On loopback the kernel's socket buffers absorb megabytes before the 256 KiB default soft limit
 * is reached, so a small soft limit, a fast simulator and a stopped reader are needed.
 */
export const WATCHING_CONFLATION = `Watching conflation:
  A reader that falls behind is sent conflated batches, not a growing queue. On loopback the
  kernel's socket buffers absorb several MiB first, so make the limit small and the feed fast:
    npm run feed -- --soft-buffer-bytes 16384 --rate 2000 --instruments 20
    npm run tail -- --all --kinds quote | (sleep 20; cat) | grep -m3 '"conflated":true'
  The pipe reads nothing for 20 s; tail stops reading too once the pipe is full, the feed's socket
  backs up past 16 KiB, and what arrives after the pause carries "conflated":true (tail marks
  each such update). Ctrl-Z on a plain "npm run tail -- --all" does the same; "fg" resumes it.
  A reader stopped longer than --max-conflated-ms is closed with 1013 (tail reconnects).`;

/** `npm run feed -- --help`. */
export const FEED_HELP = formatHelp(FEED_FLAGS, {
  title: 'Tickwire feed service',
  usage: 'npm run feed -- [options]',
  groupNotes: { Adapters: ADAPTER_PATHS_NOTE },
  footer: `${WATCHING_CONFLATION}

Health: GET http://<host>:<port>/healthz
Protocol: docs/protocol.md   Adapters: docs/adapters.md`,
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
An update the server conflated for a slow reader carries "conflated":true.
A SYMBOL is a bare symbol (BTC-USD), or the full name (SIM:BTC-USD) when several venues list it;
any case works (btc-usd) when only one instrument matches it that way.`,
  usage: 'npm run tail -- [options] SYMBOL...',
  footer: `Example: npm run tail -- --url ${DEFAULT_FEED_URL} --interval 1m BTC-USD ETH-USD

${WATCHING_CONFLATION}`,
});

/** `npm run build:embed -- --help`. */
export const BUILD_EMBED_HELP = formatHelp(BUILD_EMBED_FLAGS, {
  title: 'Builds the embeddable <tickwire-chart> bundle and the tickwire/react entry into dist/ (docs/embedding.md)',
  usage: 'npm run build:embed -- [--check | --if-stale]',
});
