/**
 * `npm run ingest -- --nats nats://127.0.0.1:4222 [adapter and simulator flags]`: the ingest role of
 * a scaled deployment (docs/scaling.md): adapters -> normaliser -> NATS JetStream. A second ingest
 * with the same adapters stands by and takes over when the first dies. Flags: flag-table.ts.
 */
import { parseSymbolMapEntries } from '../adapters/symbol-map';
import { natsSettings } from '../bus/nats/config';
import { startIngestService } from '../ingest/ingest-service';
import { createLogger } from '../log';
import { exitUsage, parseCommandLine, type FlagValues } from './args';
import { natsFlags, supervisorFlags } from './feed-options';
import { INGEST_FLAGS } from './flag-table';
import { INGEST_HELP } from './help';
import { adaptersFromCommandLine, reportStartFailure, runUntilSignal } from './service-runner';

async function main(): Promise<void> {
  let values: FlagValues<typeof INGEST_FLAGS>;
  let tokens;
  let symbolMaps;
  let settings;
  try {
    const parsed = parseCommandLine(INGEST_FLAGS, process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(`${INGEST_HELP}\n`);
      return;
    }
    values = parsed.values;
    tokens = parsed.tokens;
    symbolMaps = parseSymbolMapEntries(values['symbol-map']);
    if (values.nats.length === 0)
      throw new Error('--nats <url> (or NATS_URL) is required: the NATS server with JetStream this ingest publishes to');
    settings = natsSettings(values.nats, natsFlags(values));
  } catch (err) {
    exitUsage((err as Error).message);
  }
  const level = values['log-level'];
  const logger = createLogger(level ? { level } : {});
  if (level !== undefined) process.env.TICKWIRE_LOG_LEVEL = level;
  const adapters = await adaptersFromCommandLine(tokens, values);
  await runUntilSignal(logger, () =>
    startIngestService({
      nats: settings,
      adapters,
      symbolMaps,
      supervisor: supervisorFlags(values),
      trapAdapterFaults: true,
      leaseMs: values['lease-ms'],
      maxUnpublished: values['max-unpublished'],
      port: values.port,
      host: values.host,
      logger,
      onFatal: (reason) => {
        process.stderr.write(`ingest stopped publishing: ${reason}\n`);
        process.exit(1);
      },
    }),
  );
}

main().catch((err: unknown) => reportStartFailure(err, 'ingest'));
