// A complete Tickwire feed adapter in one file (docs/adapters.md walks through it).
// Run it:  npm run feed -- --adapter ./server/adapters/examples/sine-wave.ts --adapter-opt symbols=ALPHA,BETA
// Copied to a folder of your own (~/feeds), it runs there too: npm --prefix ~/tickwire run feed -- --adapter ./sine-wave.ts
import type { AdapterInstrument, AdapterSink, FeedAdapter } from 'tickwire/adapter';

/** Options, from `--adapter-opt key=value` (or an `--adapter-config` JSON file). */
export interface SineWaveOptions {
  /** Venue of the instruments: they are shown as "WAVE:ALPHA", ... */
  readonly venue: string;
  /** Symbols, comma-separated. */
  readonly symbols: string;
  /** Time between two updates of one symbol, ms. */
  readonly intervalMs: number;
}

const DEFAULTS: SineWaveOptions = { venue: 'WAVE', symbols: 'ALPHA,BETA', intervalMs: 200 };
/** Prices have 2 decimals, sizes 3: strings with more places would be rejected as inexact. */
const PRICE_DECIMALS = 2;
const SIZE_DECIMALS = 3;
const PERIOD_MS = 60_000;

export default class SineWaveAdapter implements FeedAdapter {
  readonly name = 'sine-wave';
  readonly venue: string;
  private readonly options: SineWaveOptions;
  private readonly symbols: string[];
  private timer: ReturnType<typeof setInterval> | undefined;
  private tradeId = 0;

  constructor(options: Partial<SineWaveOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    // Check options eagerly: a mistake fails `npm run feed` at once, naming the option.
    if (typeof this.options.venue !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(this.options.venue)) {
      throw new TypeError(`sine-wave option venue must be letters/digits, got ${String(this.options.venue)}`);
    }
    if (typeof this.options.symbols !== 'string' || this.options.symbols.trim() === '') {
      throw new TypeError('sine-wave option symbols must be a comma-separated list, e.g. ALPHA,BETA');
    }
    if (!Number.isInteger(this.options.intervalMs) || this.options.intervalMs < 10) {
      throw new TypeError(`sine-wave option intervalMs must be an integer >= 10, got ${String(this.options.intervalMs)}`);
    }
    this.venue = this.options.venue;
    this.symbols = this.options.symbols
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  async start(sink: AdapterSink): Promise<void> {
    sink.status('connecting');
    // 1. Declare instruments before their first tick.
    const instruments: AdapterInstrument[] = this.symbols.map((symbol) => ({
      symbol,
      priceDecimals: PRICE_DECIMALS,
      sizeDecimals: SIZE_DECIMALS,
    }));
    sink.instruments(instruments);
    // 2. Produce ticks. Decimal strings stay exact; event times are µs since the epoch.
    this.timer = setInterval(() => {
      const nowMs = Date.now();
      this.symbols.forEach((symbol, i) => {
        const mid = 100 * (i + 1) + 10 * Math.sin((2 * Math.PI * nowMs) / PERIOD_MS + i);
        const eventTimeUs = nowMs * 1000;
        sink.quote({
          symbol,
          bid: (mid - 0.05).toFixed(PRICE_DECIMALS),
          bidSize: '1.000',
          ask: (mid + 0.05).toFixed(PRICE_DECIMALS),
          askSize: '2.000',
          eventTimeUs,
        });
        this.tradeId += 1;
        const side = this.tradeId % 2 === 0 ? 'buy' : 'sell';
        const price = (side === 'buy' ? mid + 0.05 : mid - 0.05).toFixed(PRICE_DECIMALS);
        sink.trade({ symbol, price, size: '0.250', side, tradeId: this.tradeId, eventTimeUs });
      });
    }, this.options.intervalMs);
    // 3. Say when data flows. (Stale / down with a reason are there for real sources.)
    sink.status('live');
  }

  async stop(): Promise<void> {
    // Release everything start() took: timers, sockets, files.
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
