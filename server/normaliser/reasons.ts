/**
 * Why the normaliser refused something an adapter emitted. Stable strings: they key the
 * rejection counters on /healthz and the warnings in the log.
 */
export const REJECT_REASONS = [
  /** Not an object, no `symbol` string (`quote({})`), or a field of the wrong type that no finer reason covers. */
  'malformed',
  /** A `symbol` string this adapter's run has not declared (exact match, as declared). */
  'unknown-instrument',
  /** Price not a finite decimal, not > 0, or beyond safe-integer mantissas. */
  'bad-price',
  /** Price finer than the instrument's `priceDecimals`. */
  'inexact-price',
  /** Size not a finite decimal, negative (or zero for a trade), or too large. */
  'bad-size',
  /** Size finer than the instrument's `sizeDecimals`. */
  'inexact-size',
  /** Quote with bid above ask. */
  'crossed-quote',
  /** Trade side other than "buy", "sell" or "unknown". */
  'bad-side',
  /** Event time present but not a finite number. */
  'bad-time',
  /** Event time further ahead of the receive time than `maxFutureSkewUs`. */
  'future-time',
  /** Event time further behind the receive time than `maxPastSkewUs`. */
  'stale-time',
  /** Trade id neither a non-negative safe integer nor a short string. */
  'bad-trade-id',
  /** Instrument declaration with a bad symbol, decimals or asset class. */
  'bad-instrument',
  /**
   * Symbol already declared by another venue, re-declared with different precision, or given the
   * name of another symbol of its venue (a symbol map naming two symbols alike).
   */
  'instrument-conflict',
  /** Declaring the instrument would exceed the normaliser's `maxInstruments`. */
  'too-many-instruments',
  /** Adapter status not one of connecting / live / stale / down. */
  'bad-status',
] as const;

/** One of {@link REJECT_REASONS}. */
export type RejectReason = (typeof REJECT_REASONS)[number];
