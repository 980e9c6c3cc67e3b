/**
 * `npm run record -- --adapter <name|path> [--adapter-opt k=v ...] --out file.ndjson --seconds 10`:
 * runs adapters through the normaliser (no gateway) and writes the normalised stream as a
 * recording the `replay` adapter plays back (server/adapters/recording-format.ts). Stops after
 * --seconds, after --max-ticks, when every adapter has finished (a replay at the end of its file),
 * or on Ctrl-C; what was received until then is written completely.
 */
import { createWriteStream, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { collectAdapterRequests, type AdapterRequest } from '../adapters/adapter-args';
import { installAdapterFaultTrap } from '../adapters/fault-scope';
import { loadAdapters } from '../adapters/load-adapter';
import { NdjsonRecorder } from '../adapters/recorder';
import { superviseAdapters } from '../adapters/supervise';
import type { AdapterSupervisor } from '../adapters/supervisor';
import { parseSymbolMapEntries, type SymbolMaps } from '../adapters/symbol-map';
import { describeUserPath, resolveUserPath } from '../adapters/user-path';
import { InProcessBus } from '../bus/in-process';
import { createLogger } from '../log';
import { Normaliser } from '../normaliser/normaliser';
import { exitUsage, parseCommandLine, type FlagValues } from './args';
import { RECORD_FLAGS } from './flag-table';
import { RECORD_HELP } from './help';

/** How often the recorder checks whether every adapter has finished, ms. */
const FINISHED_POLL_MS = 100;

/** Whether `path` is an existing directory (false when it does not exist or cannot be read). */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The absolute file `--out` names, relative to the user's folder (user-path.ts). Exits 2 before any
 * adapter connects when the file could not be created: its folder is missing, or it is a folder.
 */
function outputPath(typed: string): string {
  const path = resolveUserPath(typed);
  const named = describeUserPath(typed, path);
  if (isDirectory(path))
    exitUsage(`--out ${named} is a folder; name a file in it, e.g. --out ${typed.replace(/[\\/]+$/, '')}/recording.ndjson`);
  if (!isDirectory(dirname(path))) exitUsage(`--out ${named}: the folder ${dirname(path)} does not exist`);
  return path;
}

async function main(): Promise<void> {
  let values: FlagValues<typeof RECORD_FLAGS>;
  let requests: AdapterRequest[];
  let symbolMaps: SymbolMaps;
  try {
    const parsed = parseCommandLine(RECORD_FLAGS, process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(`${RECORD_HELP}\n`);
      return;
    }
    values = parsed.values;
    requests = collectAdapterRequests(parsed.tokens);
    symbolMaps = parseSymbolMapEntries(values['symbol-map']);
  } catch (err) {
    exitUsage((err as Error).message);
  }
  if (values.out === undefined) exitUsage('--out <file|-> is required');
  const toStdout = values.out === '-';
  const outPath = toStdout ? '-' : outputPath(values.out);
  const seconds = values.seconds;
  // An integer: the recorder stops when its count equals the limit, and 2.5 would never be reached.
  const maxTicks = values['max-ticks'];
  const level = values['log-level'];
  const logger = createLogger(level ? { level } : {});
  // Adapters log through their own default loggers, which read this variable.
  if (level !== undefined) process.env.TICKWIRE_LOG_LEVEL = level;

  if (requests.length === 0) requests = [{ spec: 'simulated', options: {} }];
  const bus = new InProcessBus({ epoch: Date.now(), logger });
  const normaliser = new Normaliser({ bus, logger });
  let supervisors: AdapterSupervisor[];
  try {
    supervisors = superviseAdapters(await loadAdapters(requests), normaliser, logger, { symbolMaps });
  } catch (err) {
    exitUsage(`adapter setup failed: ${(err as Error).message}`);
  }

  const out = toStdout ? process.stdout : createWriteStream(outPath, { encoding: 'utf8' });
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') void finish('output closed');
    else {
      logger.error('cannot write the recording', {
        file: toStdout ? 'stdout' : describeUserPath(values.out as string, outPath),
        error: err.message,
      });
      process.exit(1);
    }
  });
  const startedAt = Date.now();
  let finishing: Promise<void> | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  const recorder = new NdjsonRecorder(
    bus,
    (line) => out.write(line + '\n'),
    maxTicks,
    () => void finish('max ticks reached'),
  );
  const uninstallTrap = installAdapterFaultTrap({ logger });

  async function finish(why: string): Promise<void> {
    finishing ??= (async () => {
      clearTimeout(deadline);
      clearInterval(poll);
      await Promise.all(supervisors.map((s) => s.stop()));
      normaliser.flush();
      normaliser.flushRejectLog();
      recorder.close();
      uninstallTrap();
      if (!toStdout) await new Promise<void>((resolve) => out.end(resolve));
      const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1);
      process.stderr.write(`recorded ${recorder.ticks} ticks in ${elapsed} s to ${toStdout ? 'stdout' : outPath} (${why})\n`);
      process.exit(0);
    })();
    return finishing;
  }

  if (seconds !== undefined) deadline = setTimeout(() => void finish(`${seconds} s elapsed`), seconds * 1000);
  poll = setInterval(() => {
    if (supervisors.every((s) => s.report().stats?.finished === 1)) void finish('every adapter finished');
  }, FINISHED_POLL_MS);
  process.on('SIGINT', () => void finish('interrupted'));
  process.on('SIGTERM', () => void finish('terminated'));
  try {
    await Promise.all(supervisors.map((s) => s.start()));
  } catch (err) {
    // A configuration the normaliser refuses (a venue name with a colon, say) is the user's to fix,
    // as `npm run feed` reports it: a usage error, not a stack trace.
    if (err instanceof TypeError) exitUsage(err.message);
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`record failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
