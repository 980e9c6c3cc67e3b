/**
 * `<tickwire-chart symbol="BTC-USD" interval="1m"></tickwire-chart>`: the framework-free embed, a
 * custom element around {@link EmbedChartView}. Attributes are read live (changing one re-renders
 * only what it affects); every element of a page shares one connection per feed.
 *
 * The class is made inside {@link defineTickwireChart}, not at module load, so importing this
 * module where there is no DOM (server rendering, Node tests) is harmless.
 */
import { parseEmbedOptions, type EmbedChartOptions, type EmbedOptionError } from '../../lib/embed/embed-options';
import { EmbedChartView } from './embed-chart-view';
import { defaultFeedUrl, type PageLocation } from './live-chart-options';

/** The element's name. */
export const TICKWIRE_CHART_TAG = 'tickwire-chart';

/** Attributes the element reads (docs/embedding.md lists them with their defaults). */
export const TICKWIRE_CHART_ATTRIBUTES = ['symbol', 'interval', 'theme', 'height', 'volume', 'feed'] as const;

/** Options of {@link defineTickwireChart}. */
export interface DefineTickwireChartOptions {
  /** Element name. @defaultValue 'tickwire-chart' */
  readonly tagName?: string;
  /** Feed URL for elements without a `feed` attribute. @defaultValue ws://<page host>:8080 */
  readonly defaultFeedUrl?: string;
}

/** Reads an element's attributes into options, or the first problem with them. */
export function readElementOptions(element: Element, defaultFeedUrl: string | undefined): EmbedChartOptions | EmbedOptionError {
  const attr = (name: string): string | undefined => element.getAttribute(name) ?? undefined;
  return parseEmbedOptions({
    symbol: attr('symbol'),
    interval: attr('interval'),
    theme: attr('theme'),
    height: attr('height'),
    volume: attr('volume'),
    feedUrl: attr('feed') || defaultFeedUrl || pageFeedUrl(),
  });
}

/** ws://<this page's host>:8080, the feed service's default address beside the page. */
function pageFeedUrl(): string {
  return defaultFeedUrl((globalThis as { location?: PageLocation }).location);
}

/**
 * Registers the element (once per name; later calls are no-ops). Returns the element class.
 * @throws TypeError when there is no `customElements` registry (not a browser).
 */
export function defineTickwireChart(options: DefineTickwireChartOptions = {}): CustomElementConstructor {
  const tagName = options.tagName ?? TICKWIRE_CHART_TAG;
  const registry = (globalThis as { customElements?: CustomElementRegistry }).customElements;
  if (!registry) throw new TypeError('defineTickwireChart needs a browser (customElements is missing)');
  const existing = registry.get(tagName);
  if (existing) return existing;
  const defaultFeedUrl = options.defaultFeedUrl;

  class TickwireChartElement extends HTMLElement {
    static readonly observedAttributes = TICKWIRE_CHART_ATTRIBUTES;
    #view: EmbedChartView | undefined;
    #pending = false;

    connectedCallback(): void {
      this.#view ??= new EmbedChartView(this);
      this.#view.render(readElementOptions(this, defaultFeedUrl));
    }

    disconnectedCallback(): void {
      this.#view?.dispose();
      this.#view = undefined;
    }

    attributeChangedCallback(): void {
      // Several attributes set in a row re-render once.
      if (!this.#view || this.#pending) return;
      this.#pending = true;
      queueMicrotask(() => {
        this.#pending = false;
        this.#view?.render(readElementOptions(this, defaultFeedUrl));
      });
    }
  }

  registry.define(tagName, TickwireChartElement);
  return TickwireChartElement;
}
