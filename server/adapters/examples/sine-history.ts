// A feed adapter that also offers history (docs/adapters.md "History"): live ticks on a sine wave,
// and the same wave's past as finished 1m bars, so a chart opens on days of candles.
// Run it:  npm run feed -- --adapter ./server/adapters/examples/sine-history.ts
import type { AdapterBar, AdapterHistoryRequest, AdapterSink, FeedAdapter } from 'tickwire/adapter';

const SYMBOLS = ['ALPHA', 'BETA'];
const PRICE_DECIMALS = 2;
const SIZE_DECIMALS = 3;
const PERIOD_MS = 6 * 3600_000;
const MINUTE_US = 60_000_000;

/** The wave's price of `symbol` at `timeMs`, with 2 decimals. */
function priceAt(symbol: string, timeMs: number): number {
  const phase = SYMBOLS.indexOf(symbol);
  return Math.round((100 * (phase + 1) + 10 * Math.sin((2 * Math.PI * timeMs) / PERIOD_MS + phase)) * 100) / 100;
}

export default class SineHistoryAdapter implements FeedAdapter {
  readonly name = 'sine-history';
  readonly venue = 'WAVEH';
  private timer: ReturnType<typeof setInterval> | undefined;

  async start(sink: AdapterSink): Promise<void> {
    sink.instruments(SYMBOLS.map((symbol) => ({ symbol, priceDecimals: PRICE_DECIMALS, sizeDecimals: SIZE_DECIMALS })));
    this.timer = setInterval(() => {
      const nowMs = Date.now();
      for (const symbol of SYMBOLS) {
        const price = priceAt(symbol, nowMs).toFixed(PRICE_DECIMALS);
        sink.trade({ symbol, price, size: '0.250', side: 'buy', eventTimeUs: nowMs * 1000 });
      }
    }, 250);
    sink.status('live');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Finished bars of `symbol` with open times in [startUs, endUs), oldest first, in pages. A real
   * venue's REST API goes here: page through it, keep within its rate limit, stop when `signal`
   * aborts. Only 1m is offered: for any other interval this yields nothing.
   */
  async *history(request: AdapterHistoryRequest): AsyncIterable<readonly AdapterBar[]> {
    if (request.interval !== 60 || !SYMBOLS.includes(request.symbol)) return;
    const firstUs = Math.ceil(request.startUs / MINUTE_US) * MINUTE_US;
    // Never past the current minute: only finished bars.
    const endUs = Math.min(request.endUs, Math.floor(Date.now() / 60_000) * MINUTE_US);
    let page: AdapterBar[] = [];
    for (let openUs = firstUs; openUs < endUs; openUs += MINUTE_US) {
      const open = priceAt(request.symbol, openUs / 1000);
      const close = priceAt(request.symbol, (openUs + MINUTE_US) / 1000);
      page.push({
        openTimeUs: openUs,
        open: open.toFixed(PRICE_DECIMALS),
        high: Math.max(open, close).toFixed(PRICE_DECIMALS),
        low: Math.min(open, close).toFixed(PRICE_DECIMALS),
        close: close.toFixed(PRICE_DECIMALS),
        volume: '60.000',
        tradeCount: 240,
      });
      if (page.length === 1000) {
        if (request.signal.aborted) return;
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }
}
