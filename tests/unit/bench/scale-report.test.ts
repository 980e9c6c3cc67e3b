import { describe, expect, it } from 'vitest';
import { natsRates, type PhaseResult } from '../../../bench/scale-phase';
import { capacityFigures, closedSummary, scaleTable, stallSummary } from '../../../bench/scale-report';

const CONFIG = { clients: 1000, perClient: 10, instruments: 100, ratePerInstrument: 200, flushMs: 25, gateways: 2, warmup: 10 };

function phase(processes: [string, number][], deliveries: number, nats?: PhaseResult['nats']): PhaseResult {
  return {
    seconds: 10,
    inputPerSec: 20_000,
    load: {
      deliveries,
      gaps: 0,
      messages: 0,
      bytes: 0,
      cpuCores: 0,
      p50: 1,
      p99: 2,
      p999: 2000,
      rangeMs: 2000,
      closedByCode: {},
      reports: [],
    },
    loadAverage: [1, 2],
    processes: processes.map(([name, cpuCores]) => ({ name, cpuCores, rssMiB: 100 })),
    ...(nats ? { nats } : {}),
  };
}

describe('natsRates', () => {
  it("divides the /varz counters' growth by the window", () => {
    const before = { in_bytes: 1_000, out_bytes: 2_000, in_msgs: 10, out_msgs: 20 };
    const after = { in_bytes: 11_000, out_bytes: 42_000, in_msgs: 110, out_msgs: 420 };
    expect(natsRates(before, after, 2)).toEqual({ inBytesPerSec: 5_000, outBytesPerSec: 20_000, inMsgsPerSec: 50, outMsgsPerSec: 200 });
  });
});

describe('capacityFigures', () => {
  const nats = { inBytesPerSec: 2_000_000, outBytesPerSec: 4_000_000, inMsgsPerSec: 0, outMsgsPerSec: 0 };
  const scaleOut = phase(
    [
      ['nats-server', 0.2],
      ['ingest', 0.3],
      ['gateway 1', 0.4],
      ['gateway 2', 0.6],
      ['load generator', 0.9],
    ],
    20_000_000,
    nats,
  );
  const allInOne = phase(
    [
      ['feed (all-in-one)', 0.5],
      ['load generator', 0.9],
    ],
    20_000_000,
  );

  it("costs a delivery by the gateways' CPU only, an update by ingest's and the broker's", () => {
    const figures = capacityFigures(CONFIG, scaleOut, allInOne);
    // 1.0 core over 2,000,000 deliveries/s; 0.3 core over 20,000 updates/s.
    expect(figures.gatewayCpuUsPerDelivery).toBeCloseTo(0.5);
    expect(figures.ingestCpuUsPerUpdate).toBeCloseTo(15);
    expect(figures.ingestCoresPerInstrument).toBeCloseTo(0.003);
    expect(figures.natsCpuUsPerUpdate).toBeCloseTo(10);
    expect(figures.natsInBytesPerUpdate).toBe(100);
    expect(figures.natsOutBytesPerUpdate).toBe(200);
    expect(figures.allInOneCpuUsPerDelivery).toBeCloseTo(0.25);
  });

  it('is NaN for a side that did not run', () => {
    const figures = capacityFigures(CONFIG, undefined, allInOne);
    expect(figures.gatewayCpuUsPerDelivery).toBeNaN();
    expect(figures.allInOneCpuUsPerDelivery).toBeCloseTo(0.25);
  });
});

describe('scaleTable', () => {
  it('puts each process on its own row, "-" where the other side has none', () => {
    const lines = scaleTable(CONFIG, phase([['gateway 1', 0.4]], 1), phase([['feed (all-in-one)', 0.5]], 1));
    expect(lines.find((l) => l.includes('gateway 1'))).toMatch(/0\.40 \/ 100\s+-$/);
    expect(lines.find((l) => l.includes('feed (all-in-one)'))).toMatch(/-\s+0\.50 \/ 100$/);
  });
});

describe('stallSummary', () => {
  it('counts the stalls and names the longest', () => {
    expect(stallSummary([])).toBe('none');
    expect(
      stallSummary([
        { atS: 1, lateMs: 50 },
        { atS: 4.2, lateMs: 300 },
        { atS: 9, lateMs: 60 },
      ]),
    ).toBe('3, longest 300 ms at 4.2 s');
  });
});

describe('scaleTable latency', () => {
  it('says ">= range" for a percentile in the open-ended last bucket', () => {
    const lines = scaleTable(CONFIG, phase([], 1), undefined);
    expect(lines.find((l) => l.startsWith('latency p99.9'))).toMatch(/>= 2000\s+-$/);
    expect(lines.find((l) => l.startsWith('latency p99 '))).toMatch(/2\.0\s+-$/);
  });
});

describe('closedSummary', () => {
  it('totals the closed clients and lists them by code', () => {
    expect(closedSummary({})).toBe('none');
    expect(closedSummary({ '1012': 12, '1001': 1 })).toBe('13 (1001: 1, 1012: 12)');
  });
});
