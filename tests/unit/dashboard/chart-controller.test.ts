import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AssetClass, type Bar, type Instrument } from '../../../lib/market/types';
import type { OlderBarsStatus } from '../../../lib/store/older-bars';
import type { ChartState } from '../../../lib/store/types';

/** What the controller asked of lightweight-charts, in order. */
const calls: string[] = [];
/** The visible logical range the mocked time scale reports (what the person is looking at). */
let visible: { from: number; to: number } | null = null;

vi.mock('lightweight-charts', () => {
  const series = (name: string) => {
    let points: { time: number }[] = [];
    return {
      setData: (data: { time: number }[]) => {
        points = data.slice();
        calls.push(`${name}.setData(${data.length})`);
      },
      update: (point: { time: number }) => {
        const last = points[points.length - 1];
        if (last && last.time === point.time) points[points.length - 1] = point;
        else if (!last || last.time < point.time) points.push(point);
        calls.push(`${name}.update`);
      },
      data: () => points,
      applyOptions: () => {},
    };
  };
  const timeScale = {
    applyOptions: () => calls.push('timeScale.applyOptions'),
    scrollToPosition: (position: number, animated: boolean) => calls.push(`timeScale.scrollToPosition(${position}, ${animated})`),
    getVisibleLogicalRange: () => visible,
    setVisibleLogicalRange: (range: { from: number; to: number }) =>
      calls.push(`timeScale.setVisibleLogicalRange(${range.from}, ${range.to})`),
    subscribeVisibleLogicalRangeChange: () => {},
    unsubscribeVisibleLogicalRangeChange: () => {},
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
  kind: 'bar',
  instrumentId: 1,
  seq: 1,
  eventTimeUs: 0,
  receiveTimeUs: 0,
  interval: 60,
  openTimeUs: minute * 60_000_000,
  open: 100,
  high: Math.max(100, close),
  low: Math.min(100, close),
  close,
  volume: 1,
  tradeCount: 1,
  vwap: close,
});

const chartState = (bars: Bar[], revision = 3): ChartState => ({ instrumentId: 1, interval: 60, bars, revision, status: 'ready' });
/** Bars of minutes `first` .. `first + count - 1`. */
const minutes = (first: number, count: number): Bar[] => Array.from({ length: count }, (_, i) => bar(first + i, 100));
/** Lets the time scale apply what was asked of it (lightweight-charts does at its next render). */
const nextFrame = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
/** The view calls only: what the controller did to the time scale. */
const viewCalls = (): string[] => calls.filter((call) => call.startsWith('timeScale.'));

function makeController() {
  const container = { dataset: {} } as unknown as HTMLElement;
  const legend = { querySelectorAll: () => [] } as unknown as HTMLElement;
  return new ChartController(container, legend, CHART_PALETTES.dark, 'utc');
}

describe('ChartController', () => {
  beforeEach(() => {
    calls.length = 0;
    visible = null;
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

    it('reloads the series, keeping the view, when the same instrument id comes back at another precision', () => {
      const chart = makeController();
      chart.sync(chartState([bar(1, 101)]), btc);
      visible = { from: -30, to: 6 };
      calls.length = 0;
      chart.sync(chartState([bar(1, 101)]), { ...btc, priceDecimals: 3 });
      expect(calls).toContain('candles.setData(1)');
      expect(viewCalls()).toEqual(['timeScale.setVisibleLogicalRange(-30, 6)']);
    });
  });

  describe('view across reloads', () => {
    it('keeps the zoom and the margin right of the newest bar when a fresh snapshot reloads the series at the live edge', () => {
      const chart = makeController();
      chart.sync(chartState(minutes(1, 100)), btc);
      visible = { from: 70.5, to: 104 }; // zoomed in, newest bar (index 99) 5 bars from the right edge
      calls.length = 0;
      chart.sync(chartState(minutes(11, 300), 4), btc);
      expect(calls).toContain('candles.setData(300)');
      expect(viewCalls()).toEqual(['timeScale.setVisibleLogicalRange(270.5, 304)']);
    });

    it('keeps the same times on screen when a fresh snapshot reloads the series of a person scrolled back', () => {
      const chart = makeController();
      chart.sync(chartState(minutes(101, 200)), btc);
      visible = { from: 20, to: 60 }; // minutes 121 .. 161
      calls.length = 0;
      chart.sync(chartState(minutes(51, 300), 4), btc);
      expect(viewCalls()).toEqual(['timeScale.setVisibleLogicalRange(70, 110)']);
    });

    it('keeps the view through a new epoch: empty series, then the instrument under a new id, then its snapshot', () => {
      const chart = makeController();
      chart.sync(chartState(minutes(101, 200)), btc);
      visible = { from: 20, to: 60 };
      chart.sync({ instrumentId: undefined, interval: 60, bars: [], revision: 4, status: 'loading' }, undefined);
      visible = null; // an empty chart has no range
      chart.sync({ instrumentId: 7, interval: 60, bars: [], revision: 5, status: 'loading' }, { ...btc, id: 7 });
      // A live bar may come before the snapshot; what the chart shows of it is nobody's view.
      chart.sync({ instrumentId: 7, interval: 60, bars: [bar(240, 100)], revision: 5, status: 'loading' }, { ...btc, id: 7 });
      visible = { from: -40, to: 6 };
      calls.length = 0;
      chart.sync({ instrumentId: 7, interval: 60, bars: minutes(91, 150), revision: 6, status: 'ready' }, { ...btc, id: 7 });
      expect(viewCalls()).toEqual(['timeScale.setVisibleLogicalRange(30, 70)']);
    });

    it('keeps the view through a new epoch whose snapshot has no bars yet, showing it on the first live bars', () => {
      const chart = makeController();
      chart.sync(chartState(minutes(101, 200)), btc);
      visible = { from: 160, to: 206 }; // live edge: newest bar (199) 7 bars from the right edge
      chart.sync({ instrumentId: undefined, interval: 60, bars: [], revision: 4, status: 'loading' }, undefined);
      visible = null;
      chart.sync({ instrumentId: 1, interval: 60, bars: [], revision: 5, status: 'ready' }, btc);
      calls.length = 0;
      chart.sync({ instrumentId: 1, interval: 60, bars: [bar(400, 100)], revision: 5, status: 'ready' }, btc);
      chart.sync({ instrumentId: 1, interval: 60, bars: [bar(400, 100), bar(401, 100)], revision: 5, status: 'ready' }, btc);
      expect(viewCalls()).toEqual(['timeScale.setVisibleLogicalRange(-39, 7)']);
    });

    it('reads a view it has just restored from what it asked, before the chart has drawn it', async () => {
      const chart = makeController();
      chart.sync(chartState(minutes(101, 200)), btc);
      visible = { from: 20, to: 60 };
      chart.sync(chartState(minutes(51, 300), 4), btc);
      // Another reload in the same frame: the time scale still answers the range before the first.
      calls.length = 0;
      chart.sync(chartState(minutes(61, 300), 5), btc);
      expect(viewCalls()).toEqual(['timeScale.setVisibleLogicalRange(60, 100)']);
      await nextFrame();
      visible = { from: 10, to: 50 };
      calls.length = 0;
      chart.sync(chartState(minutes(61, 300), 6), btc);
      expect(viewCalls()).toEqual(['timeScale.setVisibleLogicalRange(10, 50)']);
    });

    it('starts another instrument or interval at the default zoom on the newest bars', () => {
      const chart = makeController();
      chart.sync(chartState(minutes(1, 100)), btc);
      visible = { from: 20, to: 60 };
      calls.length = 0;
      chart.sync({ instrumentId: 2, interval: 60, bars: [], revision: 4, status: 'loading' }, { ...btc, id: 2, symbol: 'SIM:ETH-USD' });
      chart.sync(
        { instrumentId: 2, interval: 60, bars: minutes(1, 100), revision: 5, status: 'ready' },
        { ...btc, id: 2, symbol: 'SIM:ETH-USD' },
      );
      chart.sync({ instrumentId: 2, interval: 300, bars: [], revision: 6, status: 'loading' }, { ...btc, id: 2, symbol: 'SIM:ETH-USD' });
      chart.sync(
        { instrumentId: 2, interval: 300, bars: minutes(1, 20), revision: 7, status: 'ready' },
        { ...btc, id: 2, symbol: 'SIM:ETH-USD' },
      );
      expect(viewCalls().filter((call) => call.startsWith('timeScale.setVisibleLogicalRange'))).toEqual([]);
      expect(viewCalls().filter((call) => call === 'timeScale.scrollToPosition(6, false)')).toHaveLength(4);
    });

    it('does not keep the view of live bars drawn before the snapshot of a new interval', () => {
      const chart = makeController();
      chart.sync(chartState(minutes(1, 100)), btc);
      visible = { from: 70.5, to: 104 };
      chart.sync({ instrumentId: 1, interval: 300, bars: [], revision: 4, status: 'loading' }, btc);
      chart.sync({ instrumentId: 1, interval: 300, bars: [bar(100, 100)], revision: 4, status: 'loading' }, btc);
      visible = { from: -3.5, to: 2.2 }; // mid-way through the scroll to the newest bar
      calls.length = 0;
      chart.sync({ instrumentId: 1, interval: 300, bars: minutes(90, 11), revision: 5, status: 'ready' }, btc);
      expect(viewCalls()).toEqual(['timeScale.applyOptions', 'timeScale.scrollToPosition(6, false)']);
    });

    it('keeps the margin right of the newest bar when the series is trimmed to the store window', () => {
      const chart = makeController();
      const bars = minutes(1, 20);
      chart.sync(chartState(bars), btc);
      // Live bars arrive while the store keeps 20; the series holds every one until it is trimmed.
      let window = bars;
      for (let minute = 21; minute <= 521; minute += 1) {
        window = [...window.slice(1), bar(minute, 100)];
        // At the live edge the chart shifts on each new bar: newest at index minute - 1, 6 empty bars right of it.
        visible = { from: minute - 1 + 6 - 40, to: minute - 1 + 6 };
        chart.sync(chartState(window), btc);
      }
      // The 521st bar drawn takes the series past the window plus 500: trimmed to the 20 newest.
      expect(calls.filter((call) => call.startsWith('candles.setData'))).toEqual(['candles.setData(20)', 'candles.setData(20)']);
      expect(viewCalls().at(-1)).toEqual('timeScale.setVisibleLogicalRange(-15, 25)');
    });

    it('keeps the same times on screen when the series is trimmed under a person scrolled back', () => {
      const chart = makeController();
      let window = minutes(1, 20);
      chart.sync(chartState(window), btc);
      // Scrolled back, the chart keeps its indexes as bars arrive: minutes 491 .. 511 on screen.
      visible = { from: 490, to: 510 };
      for (let minute = 21; minute <= 521; minute += 1) {
        window = [...window.slice(1), bar(minute, 100)];
        chart.sync(chartState(window), btc);
      }
      // The window now starts at minute 502: 501 bars fewer before the same times.
      expect(viewCalls().at(-1)).toEqual('timeScale.setVisibleLogicalRange(-11, 9)');
    });
  });

  describe('scroll-back', () => {
    const withOlder = (bars: Bar[], status: OlderBarsStatus, revision = 3): ChartState => ({
      ...chartState(bars, revision),
      older: { status, limit: 2000, failedAtMs: 0 },
    });
    const controllerAsking = () => {
      const asked: number[] = [];
      const container = { dataset: {} } as unknown as HTMLElement;
      const legend = { querySelectorAll: () => [] } as unknown as HTMLElement;
      const chart = new ChartController(container, legend, CHART_PALETTES.dark, 'utc', { onNeedOlder: () => asked.push(1) });
      return { chart, asked, container };
    };
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

    it('draws a page put in front of the bars with the view moved by as many bars, so the same bars stay on screen', () => {
      const chart = makeController();
      chart.sync(withOlder(minutes(100, 300), 'loading'), btc);
      visible = { from: 10.5, to: 110.5 };
      calls.length = 0;
      chart.sync(withOlder([...minutes(50, 50), ...minutes(100, 300)], 'idle'), btc);
      expect(calls).toContain('candles.setData(350)');
      expect(viewCalls()).toEqual(['timeScale.setVisibleLogicalRange(60.5, 160.5)']);
    });

    it('asks for older bars when the left edge nears the oldest bar, once, and not while a page is out or at the start', async () => {
      const { chart, asked } = controllerAsking();
      visible = { from: 200, to: 300 };
      chart.sync(withOlder(minutes(1, 400), 'idle'), btc);
      await settle();
      expect(asked).toHaveLength(0);
      visible = { from: 12, to: 112 };
      chart.sync(withOlder(minutes(1, 401), 'idle'), btc);
      chart.sync(withOlder(minutes(1, 402), 'idle'), btc);
      await settle();
      expect(asked).toHaveLength(1);
      chart.sync(withOlder(minutes(1, 403), 'loading'), btc);
      chart.sync(withOlder(minutes(1, 404), 'start'), btc);
      await settle();
      expect(asked).toHaveLength(1);
    });

    it('asks for older bars at once when it opens with less than a screenful, and never without a scroll-back state', async () => {
      const { chart, asked, container } = controllerAsking();
      visible = { from: 100, to: 200 };
      chart.sync(chartState(minutes(1, 50)), btc);
      await settle();
      expect(asked).toHaveLength(0);
      chart.sync(withOlder(minutes(1, 50), 'idle', 4), btc);
      await settle();
      expect(asked).toHaveLength(1);
      expect(container.dataset.older).toBe('idle');
    });
  });
});
