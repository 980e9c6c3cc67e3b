/**
 * An embedded live chart, framework-free: renders into a shadow root of any host element (the
 * `<tickwire-chart>` custom element, or the `<div>` of the React `<LiveChart>`), holds the page's
 * shared feed hub for its feed URL, and draws with the dashboard's own ChartController. Minimal
 * chrome: symbol, venue, last price, interval, connection dot; the OHLCV legend under it; a
 * readable problem box (never a blank box) when something stops the chart.
 */
import { bareSymbol } from '../../lib/market/symbols';
import type { Instrument } from '../../lib/market/types';
import type { EmbedChartState } from '../../lib/embed/chart-watch';
import type { EmbedProblem } from '../../lib/embed/embed-problem';
import { type EmbedChartOptions, type EmbedTheme, EmbedOptionError, cssHeight, intervalLabel } from '../../lib/embed/embed-options';
import type { FeedHubLease } from '../../lib/embed/hub-registry';
import { acquireFeedHub } from '../../lib/embed/hub-registry';
import { CHART_PALETTES, type EffectiveTheme } from '../chart/chart-palette';
import { ChartController } from '../chart/chart-controller';
import { formatPrice } from '../shared/format';
import { EMBED_CSS } from './embed-styles';

/** How a view gets a hub (replaceable in tests). */
export type AcquireHub = (feedUrl: string) => FeedHubLease;

const DARK_QUERY = '(prefers-color-scheme: dark)';

const TEMPLATE = `
<div class="tw" part="chart">
  <div class="tw-head">
    <span class="tw-symbol"></span>
    <span class="tw-venue"></span>
    <span class="tw-last" data-direction="0"></span>
    <span class="tw-interval"></span>
    <span class="tw-spacer"></span>
    <span class="tw-conn" data-state="connecting"></span>
  </div>
  <div class="tw-legend" aria-live="off">
    <span class="tw-time" data-field="time"></span>
    <span>O <b data-field="open"></b></span>
    <span>H <b data-field="high"></b></span>
    <span>L <b data-field="low"></b></span>
    <span>C <b data-field="close"></b></span>
    <span>V <b data-field="volume"></b></span>
    <b data-field="change"></b>
  </div>
  <div class="tw-chart"></div>
  <div class="tw-overlay" role="status"></div>
  <div class="tw-problem" role="alert" hidden><strong></strong><span></span></div>
</div>`;

const CONNECTION_TEXT: Readonly<Record<string, string>> = {
  idle: 'Connecting',
  connecting: 'Connecting',
  connected: 'Live',
  reconnecting: 'Reconnecting',
  closed: 'Offline',
};

/** One embedded chart in a host element. */
export class EmbedChartView {
  readonly #host: HTMLElement;
  readonly #acquire: AcquireHub;
  readonly #root: ShadowRoot;
  readonly #el: {
    readonly frame: HTMLElement;
    readonly symbol: HTMLElement;
    readonly venue: HTMLElement;
    readonly last: HTMLElement;
    readonly interval: HTMLElement;
    readonly conn: HTMLElement;
    readonly legend: HTMLElement;
    readonly chart: HTMLElement;
    readonly overlay: HTMLElement;
    readonly problem: HTMLElement;
  };
  #options: EmbedChartOptions | undefined;
  #lease: FeedHubLease | undefined;
  #unwatch: (() => void) | undefined;
  #controller: ChartController | undefined;
  #controllerVolume = true;
  #state: EmbedChartState | undefined;
  #media: MediaQueryList | undefined;
  #disposed = false;

  constructor(host: HTMLElement, acquire: AcquireHub = (url) => acquireFeedHub(url)) {
    this.#host = host;
    this.#acquire = acquire;
    this.#root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    this.#root.innerHTML = `<style>${EMBED_CSS}</style>${TEMPLATE}`;
    const q = (selector: string): HTMLElement => this.#root.querySelector<HTMLElement>(selector) as HTMLElement;
    this.#el = {
      frame: q('.tw'),
      symbol: q('.tw-symbol'),
      venue: q('.tw-venue'),
      last: q('.tw-last'),
      interval: q('.tw-interval'),
      conn: q('.tw-conn'),
      legend: q('.tw-legend'),
      chart: q('.tw-chart'),
      overlay: q('.tw-overlay'),
      problem: q('.tw-problem'),
    };
  }

  /** Shows `options`, or the problem with them. Only what changed is redone. */
  render(options: EmbedChartOptions | EmbedOptionError): void {
    if (this.#disposed) return;
    if (options instanceof EmbedOptionError) {
      this.#stopWatching(true);
      this.#options = undefined;
      this.#applyTheme('auto');
      this.#showProblem({
        kind: 'bad-option',
        message: options.message,
        hint: 'Fix the chart\'s settings (see "Embedding" in the Tickwire docs).',
      });
      this.#host.dataset.status = 'error';
      this.#host.dataset.problem = 'bad-option';
      return;
    }
    const previous = this.#options;
    this.#options = options;
    this.#host.style.setProperty('--tw-height', cssHeight(options.height));
    this.#applyTheme(options.theme);
    this.#el.interval.textContent = intervalLabel(options.interval);
    if (!this.#controller || this.#controllerVolume !== options.volume) this.#makeController(options.volume);
    const feedChanged = previous?.feedUrl !== options.feedUrl || !this.#lease;
    const seriesChanged = feedChanged || previous?.symbol !== options.symbol || previous?.interval !== options.interval;
    if (!seriesChanged) return;
    this.#stopWatching(feedChanged);
    this.#state = undefined;
    this.#el.symbol.textContent = bareSymbol(options.symbol);
    this.#el.venue.textContent = '';
    this.#el.last.textContent = '';
    this.#showProblem(undefined);
    this.#lease ??= this.#acquire(options.feedUrl);
    this.#unwatch = this.#lease.hub.watch(options.symbol, options.interval, (state) => this.#onState(state));
  }

  /** Stops the chart, lets go of the feed, empties the shadow root. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#stopWatching(true);
    this.#controller?.dispose();
    this.#controller = undefined;
    this.#media?.removeEventListener('change', this.#onScheme);
    this.#root.innerHTML = '';
  }

  // ---- internals -------------------------------------------------------------------------------

  #stopWatching(releaseFeed: boolean): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    if (releaseFeed) {
      this.#lease?.release();
      this.#lease = undefined;
    }
  }

  #makeController(volume: boolean): void {
    this.#controller?.dispose();
    this.#el.chart.replaceChildren();
    this.#controller = new ChartController(this.#el.chart, this.#el.legend, CHART_PALETTES[this.#effectiveTheme()], 'local', {
      volume,
      onNeedOlder: () => {
        if (this.#options) this.#lease?.hub.loadOlder(this.#options.symbol, this.#options.interval);
      },
    });
    this.#controllerVolume = volume;
    if (this.#state) this.#controller.sync(this.#state.chart, this.#state.instrument);
  }

  #effectiveTheme(): EffectiveTheme {
    const theme = this.#options?.theme ?? 'auto';
    if (theme !== 'auto') return theme;
    return typeof matchMedia === 'function' && !matchMedia(DARK_QUERY).matches ? 'light' : 'dark';
  }

  #applyTheme(theme: EmbedTheme): void {
    if (theme === 'auto' && !this.#media && typeof matchMedia === 'function') {
      this.#media = matchMedia(DARK_QUERY);
      this.#media.addEventListener('change', this.#onScheme);
    } else if (theme !== 'auto' && this.#media) {
      this.#media.removeEventListener('change', this.#onScheme);
      this.#media = undefined;
    }
    this.#onScheme();
  }

  readonly #onScheme = (): void => {
    const effective = this.#effectiveTheme();
    this.#el.frame.dataset.theme = effective;
    this.#controller?.setPalette(CHART_PALETTES[effective]);
  };

  #onState(state: EmbedChartState): void {
    if (this.#disposed) return;
    this.#state = state;
    const instrument: Instrument | undefined = state.instrument;
    if (instrument) {
      this.#setText(this.#el.symbol, bareSymbol(instrument.symbol));
      this.#setText(this.#el.venue, instrument.venue);
      this.#el.symbol.title = instrument.symbol;
      this.#setText(this.#el.last, state.lastPrice === undefined ? '' : formatPrice(state.lastPrice, instrument.priceDecimals));
      this.#el.last.dataset.direction = String(state.lastDirection);
    }
    this.#el.conn.dataset.state = state.connection;
    this.#setText(this.#el.conn, CONNECTION_TEXT[state.connection] ?? state.connection);
    this.#controller?.sync(state.chart, instrument);
    const overlay =
      state.status === 'connecting'
        ? 'Connecting to the feed…'
        : state.status === 'loading'
          ? `Loading ${intervalLabel(state.chart.interval)} bars…`
          : '';
    this.#setText(this.#el.overlay, state.status === 'ready' && state.chart.bars.length === 0 ? 'No trades in this interval yet' : overlay);
    this.#showProblem(state.status === 'error' ? state.problem : undefined);
    const data = this.#host.dataset;
    data.status = state.status;
    data.connection = state.connection;
    if (state.problem) data.problem = state.problem.kind;
    else delete data.problem;
  }

  #showProblem(problem: EmbedProblem | undefined): void {
    const box = this.#el.problem;
    box.hidden = problem === undefined;
    if (!problem) return;
    box.dataset.kind = problem.kind;
    this.#setText(box.querySelector('strong') as HTMLElement, problem.message);
    this.#setText(box.querySelector('span') as HTMLElement, problem.hint);
    this.#setText(this.#el.overlay, '');
  }

  #setText(el: HTMLElement, text: string): void {
    if (el.textContent !== text) el.textContent = text;
  }
}
