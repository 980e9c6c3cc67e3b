/**
 * `npm run feed -- --port 8080 --seed 1 --instruments 20 --rate 50`: runs the feed service.
 * `npm run feed -- --adapter binance --adapter-opt symbols=btcusdt,ethusdt --adapter ./my-feed.ts`
 * runs any adapters instead (`--help`, docs/adapters.md). Flags: flag-table.ts. With `--nats <url>`
 * (or NATS_URL) it runs an ingest and a gateway in this process, joined through NATS JetStream
 * (docs/scaling.md).
 * SIGINT / SIGTERM close every client with 1001 and exit; a second one exits at once.
 */
import { parseSymbolMapEntries } from '../adapters/symbol-map';
import { natsSettings } from '../bus/nats/config';
import { startFeedService } from '../feed-service';
import { BACKFILL_DEFAULTS } from '../history/backfill';
import { startGatewayService } from '../gateway-service';
import { startIngestService } from '../ingest/ingest-service';
import type { GatewayOptions } from '../gateway/options';
import { createLogger } from '../log';
import { exitUsage, parseCommandLine, type FlagValues } from './args';
import { FEED_FLAGS } from './flag-table';
import { FEED_HELP } from './help';
import { dataDirFlag, gatewayFlags, supervisorFlags } from './feed-options';
import { adaptersFromCommandLine, reportStartFailure, runUntilSignal } from './service-runner';

type FeedValues = FlagValues<typeof FEED_FLAGS>;

async function main(): Promise<void> {
  let values: FeedValues;
  let tokens;
  let symbolMaps;
  let gateway: Partial<GatewayOptions>;
  let dataDir: string | undefined;
  try {
    const parsed = parseCommandLine(FEED_FLAGS, process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(`${FEED_HELP}\n`);
      return;
    }
    values = parsed.values;
    tokens = parsed.tokens;
    symbolMaps = parseSymbolMapEntries(values['symbol-map']);
    gateway = gatewayFlags(values);
    dataDir = dataDirFlag(values);
  } catch (err) {
    exitUsage((err as Error).message);
  }
  const level = values['log-level'];
  const logger = createLogger(level ? { level } : {});
  // Adapters log through their own default loggers, which read this variable.
  if (level !== undefined) process.env.TICKWIRE_LOG_LEVEL = level;
  const loaded = await adaptersFromCommandLine(tokens, values);

  if (values.nats.length > 0) {
    // Both roles of a scaled deployment in this process, through the broker (docs/scaling.md).
    const nats = natsSettings(values.nats);
    await runUntilSignal(logger, async () => {
      const ingest = await startIngestService({
        nats,
        adapters: loaded,
        symbolMaps,
        supervisor: supervisorFlags(values),
        trapAdapterFaults: true,
        port: 0,
        logger: logger.child({ role: 'ingest' }),
        onFatal: (reason) => {
          process.stderr.write(`ingest stopped publishing: ${reason}\n`);
          process.exit(1);
        },
      });
      await ingest.active;
      const gatewayService = await startGatewayService({
        nats,
        port: values.port,
        host: values.host,
        gateway,
        logger: logger.child({ role: 'gateway' }),
      });
      return {
        close: async () => {
          await gatewayService.close();
          await ingest.close();
        },
      };
    });
    return;
  }
  const started = await runUntilSignal(logger, async () => {
    try {
      return await startFeedService({
        port: values.port,
        host: values.host,
        logger,
        adapters: loaded,
        symbolMaps,
        supervisor: supervisorFlags(values),
        trapAdapterFaults: true,
        gateway,
        ...(dataDir !== undefined ? { dataDir } : {}),
        backfillDays: values['backfill-days'] ?? BACKFILL_DEFAULTS.days,
      });
    } catch (err) {
      if (err instanceof TypeError) exitUsage(err.message);
      throw err;
    }
  });
  for (const venue of symbolMaps.keys()) {
    if (!started.supervisors.some((s) => s.venue === venue)) logger.warn('symbol map names a venue no adapter runs', { venue });
  }
}

main().catch((err: unknown) => reportStartFailure(err, 'feed service'));
