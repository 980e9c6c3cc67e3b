/**
 * CPU time and resident memory of any process by PID, read from Linux's /proc, so a benchmark can
 * measure processes it did not write (nats-server) the same way as its own Node children.
 * See proc(5): /proc/<pid>/stat fields 14 (utime) and 15 (stime), /proc/<pid>/status `VmRSS`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time the process has used, in clock ticks (user + system), from the text of /proc/<pid>/stat.
 * The command name (field 2) is in parentheses and may hold spaces or parentheses itself, so the
 * fields are counted from the last `)`.
 * @throws Error when the text has no `)` or too few fields.
 */
export function parseStatCpuTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line: no ")" after the command name');
  // After ")": field 3 (state) is index 0, so utime (14) and stime (15) are indices 11 and 12.
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('not a /proc/<pid>/stat line: too few fields');
  return utime + stime;
}

/**
 * Resident set size in KiB from the text of /proc/<pid>/status (`VmRSS:   123456 kB`).
 * @throws Error when the line is missing (a kernel thread or a zombie has none).
 */
export function parseVmRssKiB(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error('no VmRSS line in /proc/<pid>/status');
  return Number(match[1]);
}

/** Clock ticks per second of utime/stime (`getconf CLK_TCK`; 100 on every common Linux). */
function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
const CLK_TCK = clockTicksPerSecond();

/** One reading of a process: its CPU time so far and its RSS now. */
export interface ProcSample {
  /** CPU seconds used since the process started (user + system). */
  readonly cpuSeconds: number;
  /** Resident set size, MiB. */
  readonly rssMiB: number;
  /** When it was read, ms on the monotonic clock (`performance.now()`). */
  readonly atMs: number;
}

/** Reads /proc for `pid` now. @throws Error when the process is gone. */
export function sampleProcess(pid: number): ProcSample {
  const ticks = parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const rssKiB = parseVmRssKiB(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds: ticks / CLK_TCK, rssMiB: rssKiB / 1024, atMs: performance.now() };
}

/** Cores used between two samples of one process (CPU seconds per wall second), and RSS at the end. */
export function usageBetween(before: ProcSample, after: ProcSample): { cpuCores: number; rssMiB: number } {
  const wallSeconds = (after.atMs - before.atMs) / 1000;
  return { cpuCores: wallSeconds > 0 ? (after.cpuSeconds - before.cpuSeconds) / wallSeconds : Number.NaN, rssMiB: after.rssMiB };
}
