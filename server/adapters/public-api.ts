/**
 * `tickwire/adapter`: what a feed adapter written outside this repository may import (package.json
 * "exports"; docs/adapters.md). The contract's types, the asset-class numbers, the reconnecting
 * venue-socket helper (so an adapter never imports `ws` itself) and the user-path rule for file
 * options. Everything else under server/ is internal and may change.
 */
export type {
  AdapterBar,
  AdapterHistoryRequest,
  AdapterInstrument,
  AdapterQuote,
  AdapterSide,
  AdapterSink,
  AdapterState,
  AdapterTrade,
  FeedAdapter,
} from './types';
export { AssetClass } from '../../lib/market/types';
export { WsFeed, type WsFeedOptions, type WsFeedStats } from './ws-feed';
export { resolveUserPath, userDirectory } from './user-path';
