import { describe, expect, it } from 'vitest';
import { InProcessBus } from '../../server/bus/in-process';
import type { Tick } from '../../server/bus/types';
import { createLogger } from '../../server/log';
import { AssetClass, type Instrument } from '../../lib/market/types';

const quote: Tick = { kind: 'quote', instrumentId: 1, seq: 1, eventTimeUs: 1, receiveTimeUs: 2, bid: 1, bidSize: 1, ask: 2, askSize: 1 };
const instrument: Instrument = { id: 1, symbol: 'X', venue: 'SIM', assetClass: AssetClass.Other, priceDecimals: 2, sizeDecimals: 0 };

describe('InProcessBus', () => {
  describe('constructor', () => {
    it('takes the epoch it is given, else the current time in ms', () => {
      expect(new InProcessBus({ epoch: 42 }).epoch).toBe(42);
      const before = Date.now();
      expect(new InProcessBus().epoch).toBeGreaterThanOrEqual(before);
    });

    it('rejects an epoch that is not a positive safe integer', () => {
      expect(() => new InProcessBus({ epoch: 0 })).toThrow(/epoch/);
      expect(() => new InProcessBus({ epoch: 1.5 })).toThrow(TypeError);
    });
  });

  describe('#publishTicks', () => {
    it('calls handlers synchronously in subscription order', () => {
      const bus = new InProcessBus({ epoch: 1 });
      const calls: string[] = [];
      bus.onTicks(() => calls.push('a'));
      bus.onTicks((ticks) => calls.push(`b${ticks.length}`));
      bus.publishTicks([quote]);
      expect(calls).toEqual(['a', 'b1']);
    });

    it('keeps calling the other handlers when one throws, and logs it', () => {
      const lines: string[] = [];
      const bus = new InProcessBus({ epoch: 1, logger: createLogger({ level: 'error', write: (l) => lines.push(l) }) });
      let reached = false;
      bus.onTicks(() => {
        throw new Error('boom');
      });
      bus.onTicks(() => {
        reached = true;
      });
      expect(() => bus.publishTicks([quote])).not.toThrow();
      expect(reached).toBe(true);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'error', channel: 'ticks', error: 'Error: boom' });
    });

    it('stops calling a handler once unsubscribed, even during a publish', () => {
      const bus = new InProcessBus({ epoch: 1 });
      const calls: string[] = [];
      const offB = bus.onTicks(() => calls.push('b'));
      bus.onTicks(() => {
        calls.push('a');
        offB();
      });
      bus.publishTicks([quote]);
      bus.publishTicks([quote]);
      expect(calls).toEqual(['b', 'a', 'a']);
    });
  });

  describe('#publishInstruments and #publishStatus', () => {
    it('remember the latest table and status for late subscribers', () => {
      const bus = new InProcessBus({ epoch: 1 });
      expect(bus.instruments()).toEqual([]);
      const seen: (readonly Instrument[])[] = [];
      bus.onInstruments((table) => seen.push(table));
      bus.publishInstruments([instrument]);
      bus.publishStatus([{ venue: 'SIM', state: 'live', reason: '' }]);
      expect(seen).toEqual([[instrument]]);
      expect(bus.instruments()).toEqual([instrument]);
      expect(bus.status()).toEqual([{ venue: 'SIM', state: 'live', reason: '' }]);
    });
  });

  describe('#close', () => {
    it('releases handlers and ignores later publishes', async () => {
      const bus = new InProcessBus({ epoch: 1 });
      let calls = 0;
      bus.onTicks(() => (calls += 1));
      await bus.close();
      bus.publishTicks([quote]);
      expect(calls).toBe(0);
    });
  });
});
