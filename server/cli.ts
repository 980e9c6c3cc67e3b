/**
 * `npm run feed -- --port 8080 --seed 1 --instruments 20 --rate 50`: runs the feed service.
 * SIGINT / SIGTERM close every client with 1001 and exit.
 */
import { parseArgs } from 'node:util';
import { startFeedService } from './feed-service';
import { createLogger, type LogLevel } from './log';

const HELP = `Tickwire feed service

Usage: npm run feed -- [options]

Options:
  --port <n>            TCP port for WebSocket clients and /healthz (default 8080, env FEED_PORT)
  --host <addr>         interface to listen on (default 127.0.0.1, env FEED_HOST; 0.0.0.0 for all)
  --seed <n>            simulator seed: same seed, same market (default 1)
  --instruments <n>     simulated instruments (default 20; more than the catalogue are synthetic)
  --rate <n>            simulated updates per second per instrument (default 5)
  --no-bursts           disable the simulator's occasional activity bursts
  --flush-ms <n>        live batch flush interval in ms (default 25)
  --heartbeat-ms <n>    heartbeat interval in ms (default 5000)
  --allow-origin <o>    browser origin allowed to connect (repeatable; "*" for any).
                        Default: http://localhost:3000 and any localhost / 127.0.0.1 origin
  --log-level <level>   debug | info | warn | error | silent (default info, env TICKWIRE_LOG_LEVEL)
  -h, --help            show this help

Health: GET http://<host>:<port>/healthz
Protocol: docs/protocol.md`;

function intOption(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    process.stderr.write(`--${name} must be a number >= ${min}, got "${value}"\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        instruments: { type: 'string' },
        rate: { type: 'string' },
        'no-bursts': { type: 'boolean' },
        'flush-ms': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const levels = ['debug', 'info', 'warn', 'error', 'silent'];
  const level = values['log-level'];
  if (level !== undefined && !levels.includes(level)) {
    process.stderr.write(`--log-level must be one of ${levels.join(', ')}\n`);
    process.exit(2);
  }
  const logger = createLogger(level ? { level: level as LogLevel } : {});
  const origins = values['allow-origin'];
  const service = await startFeedService({
    port: intOption('port', values.port ?? process.env.FEED_PORT, 8080),
    host: values.host ?? process.env.FEED_HOST ?? '127.0.0.1',
    logger,
    simulated: {
      seed: intOption('seed', values.seed, 1),
      instruments: intOption('instruments', values.instruments, 20, 1),
      ratePerInstrument: intOption('rate', values.rate, 5),
      ...(values['no-bursts'] ? { bursts: false } : {}),
    },
    gateway: {
      flushIntervalMs: intOption('flush-ms', values['flush-ms'], 25, 1),
      heartbeatIntervalMs: intOption('heartbeat-ms', values['heartbeat-ms'], 5000, 100),
      ...(origins ? { allowedOrigins: origins } : {}),
    },
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('error while shutting down', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') process.stderr.write(`Port already in use: ${e.message}. Pick another with --port.\n`);
  else process.stderr.write(`feed service failed to start: ${e.stack ?? String(err)}\n`);
  process.exit(1);
});
