/**
 * `npm run feed` flags as the feed service's options: only what was given, so every default stays
 * where it is defined (the simulator, the supervisor, the gateway's options.ts).
 */
import type { SupervisorOptions } from '../adapters/supervisor';
import type { GatewayOptions } from '../gateway/options';
import type { FlagValues } from './args';
import type { FEED_FLAGS } from './flag-table';
import { UsageError } from './kinds';
import { DEFAULT_DATA_DIR } from './flag-table';
import { resolveUserPath } from '../adapters/user-path';

/** Parsed `npm run feed` flags. */
export type FeedValues = FlagValues<typeof FEED_FLAGS>;

/** Simulator flags given on the command line, as simulated-adapter options. */
export function simulatorFlags(values: Pick<FeedValues, 'seed' | 'instruments' | 'rate' | 'no-bursts'>): Record<string, unknown> {
  return {
    ...(values.seed !== undefined ? { seed: values.seed } : {}),
    ...(values.instruments !== undefined ? { instruments: values.instruments } : {}),
    ...(values.rate !== undefined ? { ratePerInstrument: values.rate } : {}),
    ...(values['no-bursts'] ? { bursts: false } : {}),
  };
}

/** Supervision flags given, as supervisor options. */
export function supervisorFlags(
  values: Pick<FeedValues, 'stale-after-ms' | 'restart-after-silent-ms' | 'start-timeout-ms' | 'restart-min-ms' | 'restart-max-ms'>,
): Partial<SupervisorOptions> {
  const pick: [keyof SupervisorOptions, number | undefined][] = [
    ['staleAfterMs', values['stale-after-ms']],
    ['restartAfterSilentMs', values['restart-after-silent-ms']],
    ['startTimeoutMs', values['start-timeout-ms']],
    ['minRestartDelayMs', values['restart-min-ms']],
    ['maxRestartDelayMs', values['restart-max-ms']],
  ];
  return Object.fromEntries(pick.filter(([, v]) => v !== undefined));
}

/**
 * Gateway flags given, as gateway options. The buffer limits are checked against each other here,
 * in flag names (the gateway would name its own option).
 * @throws UsageError when --hard-buffer-bytes is below --soft-buffer-bytes
 */
export function gatewayFlags(
  values: Pick<
    FeedValues,
    | 'flush-ms'
    | 'heartbeat-ms'
    | 'soft-buffer-bytes'
    | 'hard-buffer-bytes'
    | 'max-conflated-ms'
    | 'hard-limit-grace-ms'
    | 'slow-close-ms'
    | 'allow-origin'
  >,
): Partial<GatewayOptions> {
  const pick: [keyof GatewayOptions, unknown][] = [
    ['flushIntervalMs', values['flush-ms']],
    ['heartbeatIntervalMs', values['heartbeat-ms']],
    ['softBufferLimitBytes', values['soft-buffer-bytes']],
    ['hardBufferLimitBytes', values['hard-buffer-bytes']],
    ['maxConflatedMs', values['max-conflated-ms']],
    ['hardLimitGraceMs', values['hard-limit-grace-ms']],
    ['slowCloseTimeoutMs', values['slow-close-ms']],
    ['allowedOrigins', values['allow-origin'].length > 0 ? values['allow-origin'] : undefined],
  ];
  const options = Object.fromEntries(pick.filter(([, v]) => v !== undefined)) as Partial<GatewayOptions>;
  const soft = values['soft-buffer-bytes'];
  const hard = values['hard-buffer-bytes'];
  if (soft !== undefined && hard !== undefined && hard < soft) {
    throw new UsageError(`--hard-buffer-bytes (${hard}) must be at least --soft-buffer-bytes (${soft})`);
  }
  return options;
}

/** NATS flags given, as NatsSettings fields (the URLs come from --nats / NATS_URL). */
export function natsFlags(values: {
  readonly stream?: string;
  readonly 'subject-root'?: string;
  readonly bucket?: string;
  readonly 'max-age-ms'?: number;
  readonly 'max-bytes'?: number;
}): { stream?: string; subjectRoot?: string; bucket?: string; maxAgeMs?: number; maxBytes?: number } {
  const pick: [string, unknown][] = [
    ['stream', values.stream],
    ['subjectRoot', values['subject-root']],
    ['bucket', values.bucket],
    ['maxAgeMs', values['max-age-ms']],
    ['maxBytes', values['max-bytes']],
  ];
  return Object.fromEntries(pick.filter(([, v]) => v !== undefined));
}

/**
 * The data folder the feed service persists history in (absolute), or undefined with
 * `--no-persist`. A relative `--data-dir` (and the default `.tickwire`) is relative to the folder
 * the command was run in (`INIT_CWD` under npm: server/adapters/user-path.ts). A data folder
 * named (flag or TICKWIRE_DATA_DIR) wins over `--no-persist` / TICKWIRE_NO_PERSIST, so the test
 * suite can turn persistence off for every process it starts and still name a folder for one.
 */
export function dataDirFlag(values: { readonly 'data-dir'?: string | undefined; readonly 'no-persist': boolean }): string | undefined {
  const named = values['data-dir'];
  if (named !== undefined) return resolveUserPath(named);
  return values['no-persist'] ? undefined : resolveUserPath(DEFAULT_DATA_DIR);
}
