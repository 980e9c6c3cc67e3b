/**
 * Built-in feed adapters by name, for the CLI's `--adapter` flag. Adding one is one line in
 * {@link BUILT_IN_ADAPTERS}; see docs/adapters.md.
 */
import { BinanceAdapter, type BinanceOptions } from './binance';
import { CoinbaseAdapter, type CoinbaseOptions } from './coinbase';
import { ReplayAdapter, type ReplayOptions } from './replay';
import { SimulatedAdapter, type SimulatedOptions } from './simulated';
import type { FeedAdapter } from './types';

/** Options as they arrive from the CLI or a config file; each adapter validates its own. */
export type AdapterOptions = Readonly<Record<string, unknown>>;

/** Builds an adapter from options, throwing a TypeError that names any bad option. */
export type AdapterFactory = (options: AdapterOptions) => FeedAdapter;

/** Every built-in adapter, by name. */
export const BUILT_IN_ADAPTERS: Readonly<Record<string, AdapterFactory>> = Object.freeze({
  simulated: (options: AdapterOptions) => new SimulatedAdapter(options as Partial<SimulatedOptions>),
  replay: (options: AdapterOptions) => new ReplayAdapter(options as Partial<ReplayOptions>),
  binance: (options: AdapterOptions) => new BinanceAdapter(options as Partial<BinanceOptions>),
  coinbase: (options: AdapterOptions) => new CoinbaseAdapter(options as Partial<CoinbaseOptions>),
});

/** Names accepted by {@link createAdapter}, sorted. */
export function adapterNames(): string[] {
  return Object.keys(BUILT_IN_ADAPTERS).sort();
}

/**
 * Creates the built-in adapter called `name` with `options`.
 * @throws TypeError for an unknown name (listing the known ones) or an invalid option.
 */
export function createAdapter(name: string, options: AdapterOptions = {}): FeedAdapter {
  const factory = Object.hasOwn(BUILT_IN_ADAPTERS, name) ? BUILT_IN_ADAPTERS[name] : undefined;
  if (factory === undefined) {
    throw new TypeError(`unknown adapter "${String(name)}"; built-in adapters: ${adapterNames().join(', ')}`);
  }
  return factory(options);
}

export type * from './types';
