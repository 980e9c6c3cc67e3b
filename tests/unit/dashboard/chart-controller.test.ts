import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AssetClass, type Bar, type Instrument } from '../../../lib/market/types';
import type { ChartState } from '../../../lib/store/types';

/** What the controller asked of lightweight-charts, in order. */
const calls: string[] = [];

vi.mock('lightweight-charts', () => {
  const series = (name: string) => ({
    setData: (data: unknown[]) => calls.push(`${name}.setData(${data.length})`),
    update: () => calls.push(`${name}.update`),
    applyOptions: () => {},
  });
  const timeScale = {
    applyOptions: () => calls.push('timeScale.applyOptions'),
    scrollToRealTime: () => calls.push('timeScale.scrollToRealTime'),
    getVisibleRange: () => null,
    setVisibleRange: () => {},
  };
  return {
    CandlestickSeries: { name: 'candles' },
    HistogramSeries: { name: 'volume' },
    ColorType: { Solid: 'solid' },
    CrosshairMode: { Normal: 0 },
    createChart: () => ({
      addSeries: (type: { name: string }) => series(type.name),
      panes: () => [{ setStretchFactor: () => {} }, { setStretchFactor: () => {} }],
      subscribeCrosshairMove: () => {},
      unsubscribeCrosshairMove: () => {},
      applyOptions: () => {},
      timeScale: () => timeScale,
      remove: () => {},
    }),
  };
});

const { ChartController } = await import('../../../components/chart/chart-controller');
const { CHART_PALETTES } = await import('../../../components/chart/chart-palette');

const btc: Instrument = { id: 1, symbol: 'SIM:BTC-USD', venue: 'SIM', assetClass: AssetClass.Crypto, priceDecimals: 2, sizeDecimals: 4 };

const bar = (minute: number, close: number): Bar => ({
  kind: 'bar', instrumentId: 1, seq: 1, eventTimeUs: 0, receiveTimeUs: 0, interval: 60, openTimeUs: minute * 60_000_000,
  open: 100, high: Math.max(100, close), low: Math.min(100, close), close, volume: 1, tradeCount: 1, vwap: close,
});

const chartState = (bars: Bar[]): ChartState => ({ instrumentId: 1, interval: 60, bars, revision: 3, status: 'ready' });

function makeController() {
  const container = { dataset: {} } as unknown as HTMLElement;
  const legend = { querySelectorAll: () => [] } as unknown as HTMLElement;
  return new ChartController(container, legend, CHART_PALETTES.dark, 'utc');
}

describe('ChartController', () => {
  beforeEach(() => {
    calls.length = 0;
  });

  describe('#sync', () => {
    it('keeps the series and the view when the instrument table is sent again with the same instrument', () => {
      const chart = makeController();
      const first = bar(1, 101);
      chart.sync(chartState([first, bar(2, 102)]), btc);
      calls.length = 0;
      // A reconnect, or any change to the table, brings every instrument as a new object.
      chart.sync(chartState([first, bar(2, 103)]), { ...btc });
      expect(calls).toEqual(['candles.update', 'volume.update']);
    });

    it('reloads the series when the same instrument id comes back at another precision', () => {
      const chart = makeController();
      chart.sync(chartState([bar(1, 101)]), btc);
      calls.length = 0;
      chart.sync(chartState([bar(1, 101)]), { ...btc, priceDecimals: 3 });
      expect(calls).toContain('candles.setData(1)');
      expect(calls).toContain('timeScale.scrollToRealTime');
    });
  });
});
