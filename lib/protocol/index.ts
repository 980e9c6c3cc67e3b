/**
 * Public surface of the Tickwire v2 wire protocol (spec: docs/protocol.md). Aggregates only.
 */
export * from './constants';
export * from './errors';
export type * from './messages';
export { encodeMessage, encodeUpdateSegment, assembleBatch } from './encoder';
export { decodeServerMessage, decodeClientMessage } from './decoder';
export { encodeJsonMessage, decodeJsonServerMessage, decodeJsonClientMessage } from './json';
export { BINARY_CODEC, JSON_CODEC, codecFor, type Codec } from './codec';
export {
  isAssetClass,
  isBarIntervalValue,
  isDecimals,
  isErrorCode,
  isHistoryCount,
  isIntervalOrNone,
  isSafeInt,
  isSafeUint,
  isSide,
  isVenueState,
  isWellFormedUtf16,
  utf8ByteLength,
} from './validation';
