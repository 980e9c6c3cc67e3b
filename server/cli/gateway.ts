/**
 * `npm run gateway -- --nats nats://127.0.0.1:4222 --port 8081`: the gateway role of a scaled
 * deployment (docs/scaling.md): WebSocket clients fed from NATS JetStream, receiving only the
 * instruments its clients hold. Flags: flag-table.ts.
 */
import { natsSettings } from '../bus/nats/config';
import { startGatewayService } from '../gateway-service';
import { createLogger } from '../log';
import { exitUsage, parseCommandLine, type FlagValues } from './args';
import { gatewayFlags, natsFlags } from './feed-options';
import { GATEWAY_FLAGS } from './flag-table';
import { GATEWAY_HELP } from './help';
import { reportStartFailure, runUntilSignal } from './service-runner';

async function main(): Promise<void> {
  let values: FlagValues<typeof GATEWAY_FLAGS>;
  let settings;
  let gateway;
  try {
    const parsed = parseCommandLine(GATEWAY_FLAGS, process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(`${GATEWAY_HELP}\n`);
      return;
    }
    values = parsed.values;
    if (parsed.tokens.some((t) => t.kind === 'positional')) throw new Error('npm run gateway takes no positional arguments');
    if (values.nats.length === 0)
      throw new Error('--nats <url> (or NATS_URL) is required: the NATS server with JetStream the ingest publishes to');
    settings = natsSettings(values.nats, natsFlags(values));
    gateway = gatewayFlags(values);
  } catch (err) {
    exitUsage((err as Error).message);
  }
  const level = values['log-level'];
  const logger = createLogger(level ? { level } : {});
  await runUntilSignal(logger, async () => {
    try {
      return await startGatewayService({
        nats: settings,
        port: values.port,
        host: values.host,
        gateway,
        lingerMs: values['linger-ms'],
        maxUpstreamLagMs: values['max-upstream-lag-ms'],
        logger,
      });
    } catch (err) {
      if (err instanceof TypeError) exitUsage(err.message);
      throw err;
    }
  });
}

main().catch((err: unknown) => reportStartFailure(err, 'gateway'));
