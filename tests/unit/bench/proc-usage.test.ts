import { describe, expect, it } from 'vitest';
import { parseStatCpuTicks, parseVmRssKiB, sampleProcess, usageBetween } from '../../../bench/proc-usage';

// A real /proc/<pid>/stat line with utime 1234 and stime 56, whose command name holds a space and parentheses.
const STAT =
  '584 (node (tsx) x) R 582 582 28672 0 -1 4194304 101 0 0 0 1234 56 0 0 20 0 1 0 859546 3133440 388 18446744073709551615 94868095979520 0 0';

describe('parseStatCpuTicks', () => {
  it('adds utime and stime, counting fields from the last ")" of the command name', () => {
    expect(parseStatCpuTicks(STAT)).toBe(1290);
  });

  it('rejects a line without a command name or with too few fields', () => {
    expect(() => parseStatCpuTicks('584 cat R 1 2')).toThrow(/no "\)"/);
    expect(() => parseStatCpuTicks('584 (cat) R 582 582')).toThrow(/too few fields/);
  });
});

describe('parseVmRssKiB', () => {
  it('reads the VmRSS line, not VmHWM', () => {
    expect(parseVmRssKiB('Name:\tcat\nVmHWM:\t    2300 kB\nVmRSS:\t    2200 kB\nRssAnon:\t 100 kB\n')).toBe(2200);
  });

  it('rejects a status without VmRSS (a kernel thread)', () => {
    expect(() => parseVmRssKiB('Name:\tkthreadd\nState:\tS (sleeping)\n')).toThrow(/no VmRSS/);
  });
});

describe('usageBetween', () => {
  it('gives CPU seconds per wall second and the later RSS', () => {
    const before = { cpuSeconds: 10, rssMiB: 100, atMs: 1_000 };
    const after = { cpuSeconds: 13, rssMiB: 120, atMs: 5_000 };
    expect(usageBetween(before, after)).toEqual({ cpuCores: 0.75, rssMiB: 120 });
  });
});

describe('sampleProcess', () => {
  it('reads this process, which has used CPU and holds memory', () => {
    const sample = sampleProcess(process.pid);
    expect(sample.cpuSeconds).toBeGreaterThan(0);
    expect(sample.rssMiB).toBeGreaterThan(10);
  });
});
