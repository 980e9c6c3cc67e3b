/**
 * Builds a canonical message object (exactly the fields of messages.ts, in canonical order) from an
 * unknown value, validating every field against the same rules the binary codec enforces
 * (docs/protocol.md §4-6). The JSON decoder uses it on parsed input (failures become
 * ProtocolErrors); the JSON encoder uses it on outgoing messages (failures become TypeError/RangeError).
 */
import type { AssetClass, Bar, BarInterval, MarketUpdate, Quote, SessionStats, Side, Trade } from '../market/types';
import { MAX_HISTORY_PAGE_BARS, MAX_STRING_BYTES, VENUE_STATES } from './constants';
import type { ProtocolErrorCode } from './errors';
import type {
  AnyMessage,
  ClientMessage,
  HistoryPageMessage,
  InstrumentEntry,
  ServerMessage,
  SubscribeEntry,
  VenueStatus,
} from './messages';
import {
  describe,
  ERROR_CODE_RANGE,
  historyBarsProblem,
  isAssetClass,
  isBarIntervalValue,
  isDecimals,
  isErrorCode,
  isIntervalOrNone,
  isRequestInterval,
  isSafeInt,
  isSafeUint,
  isSide,
  isVenueState,
  isWellFormedUtf16,
  utf8ByteLength,
} from './validation';

/** Reports an invalid field; `wrongType` is true when the value has the wrong JS type altogether. */
export type FailFn = (code: ProtocolErrorCode, message: string, wrongType: boolean) => never;

/** How to canonicalise: how to fail, and whether fields beyond the model are an error (decoding) or dropped (encoding). */
export interface CanonicalOptions {
  readonly fail: FailFn;
  readonly rejectExtraFields: boolean;
}

/** Which message types a direction accepts: `server` = what a client receives, `client` = what a server receives. */
export type Direction = 'server' | 'client' | 'any';

/** The venue states as an error message lists them: "connecting, live, ... or upstream_lost". */
const VENUE_STATE_LIST = `${VENUE_STATES.slice(0, -1).join(', ')} or ${VENUE_STATES[VENUE_STATES.length - 1]}`;

const SERVER_TYPES: ReadonlySet<string> = new Set([
  'hello',
  'instruments',
  'batch',
  'snapshot',
  'ack',
  'error',
  'heartbeat',
  'status',
  'historyPage',
]);
const CLIENT_TYPES: ReadonlySet<string> = new Set(['subscribe', 'unsubscribe', 'history']);

type Obj = Record<string, unknown>;

/** Canonical copy of a message of `direction`; fails through `options.fail`. */
export function canonicalMessage(value: unknown, direction: 'server', options: CanonicalOptions): ServerMessage;
export function canonicalMessage(value: unknown, direction: 'client', options: CanonicalOptions): ClientMessage;
export function canonicalMessage(value: unknown, direction: Direction, options: CanonicalOptions): AnyMessage;
export function canonicalMessage(value: unknown, direction: Direction, options: CanonicalOptions): AnyMessage {
  const c = new Checker(options);
  const o = c.object(value, 'message');
  const type = o.type;
  if (typeof type !== 'string')
    return options.fail('TW_ERR_UNKNOWN_MESSAGE_TYPE', `message.type must be a string, got ${describe(type)}`, true);
  const isServer = SERVER_TYPES.has(type);
  const isClient = CLIENT_TYPES.has(type);
  if ((direction === 'server' && isClient) || (direction === 'client' && isServer)) {
    return options.fail('TW_ERR_WRONG_DIRECTION', `message type ${describe(type)} is not sent in this direction`, false);
  }
  let msg: AnyMessage;
  switch (type) {
    case 'hello':
      msg = {
        type,
        protocolVersion: c.uint(o, 'protocolVersion', 'hello'),
        serverId: c.string(o, 'serverId', 'hello'),
        epoch: c.uint(o, 'epoch', 'hello'),
        heartbeatIntervalMs: c.uint(o, 'heartbeatIntervalMs', 'hello'),
        serverTimeUs: c.uint(o, 'serverTimeUs', 'hello'),
        capabilities: c.array(o, 'capabilities', 'hello').map((v) => c.stringValue(v, 'hello.capabilities[]')),
        intervals: c
          .array(o, 'intervals', 'hello')
          .map((v) =>
            isRequestInterval(v) && v > 0 ? v : c.bad('hello.intervals[]', 'an interval 1 .. 2^31-1 (seconds)', v, typeof v !== 'number'),
          ),
      };
      break;
    case 'instruments':
      msg = { type, instruments: c.array(o, 'instruments', 'instruments').map((e) => c.instrument(e)) };
      break;
    case 'batch':
      msg = {
        type,
        conflated: c.boolean(o, 'conflated', 'batch'),
        updates: c.array(o, 'updates', 'batch').map((u) => c.update(u)),
      };
      break;
    case 'snapshot':
      msg = {
        type,
        requestId: c.uint(o, 'requestId', 'snapshot'),
        instrumentId: c.uint(o, 'instrumentId', 'snapshot'),
        recovered: c.boolean(o, 'recovered', 'snapshot'),
        barsOnly: c.boolean(o, 'barsOnly', 'snapshot'),
        seq: c.uint(o, 'seq', 'snapshot'),
        interval: c.intervalOrNone(o, 'snapshot'),
        updates: c.array(o, 'updates', 'snapshot').map((u) => c.update(u)),
      };
      break;
    case 'ack':
      msg = { type, requestId: c.uint(o, 'requestId', 'ack') };
      break;
    case 'error': {
      const code = isErrorCode(o.code)
        ? o.code
        : c.bad('error.code', `an ErrorCode (${ERROR_CODE_RANGE})`, o.code, typeof o.code !== 'number');
      msg = { type, requestId: c.uint(o, 'requestId', 'error'), code, message: c.string(o, 'message', 'error') };
      break;
    }
    case 'heartbeat':
      msg = { type, serverTimeUs: c.uint(o, 'serverTimeUs', 'heartbeat') };
      break;
    case 'status':
      msg = { type, venues: c.array(o, 'venues', 'status').map((v) => c.venue(v)) };
      break;
    case 'subscribe':
      msg = {
        type,
        requestId: c.uint(o, 'requestId', 'subscribe'),
        all: c.boolean(o, 'all', 'subscribe'),
        interval: c.requestInterval(o, 'subscribe'),
        resumeEpoch: c.uint(o, 'resumeEpoch', 'subscribe'),
        symbols: c.array(o, 'symbols', 'subscribe').map((s) => c.subscribeEntry(s)),
      };
      break;
    case 'unsubscribe':
      msg = {
        type,
        requestId: c.uint(o, 'requestId', 'unsubscribe'),
        all: c.boolean(o, 'all', 'unsubscribe'),
        interval: c.requestInterval(o, 'unsubscribe'),
        symbols: c.array(o, 'symbols', 'unsubscribe').map((s) => c.stringValue(s, 'unsubscribe.symbols[]')),
      };
      break;
    case 'history':
      msg = {
        type,
        requestId: c.uint(o, 'requestId', 'history'),
        symbol: c.string(o, 'symbol', 'history'),
        interval: c.requestInterval(o, 'history'),
        endTimeUs: c.uint(o, 'endTimeUs', 'history'),
        count: c.uint(o, 'count', 'history'),
      };
      break;
    case 'historyPage':
      msg = c.historyPage(o);
      break;
    case 'ping':
    case 'pong':
      msg = { type, nonce: c.uint(o, 'nonce', type), sentTimeUs: c.uint(o, 'sentTimeUs', type) };
      break;
    default:
      return options.fail('TW_ERR_UNKNOWN_MESSAGE_TYPE', `unknown message type ${describe(type)}`, true);
  }
  c.exactFields(o, msg, type);
  return msg;
}

/** Field checks bound to one canonicalisation (so each knows how to fail). */
class Checker {
  private readonly fail: FailFn;
  private readonly rejectExtra: boolean;

  constructor(options: CanonicalOptions) {
    this.fail = options.fail;
    this.rejectExtra = options.rejectExtraFields;
  }

  bad(path: string, expected: string, value: unknown, wrongType: boolean): never {
    return this.fail('TW_ERR_BAD_VALUE', `${path} must be ${expected}, got ${describe(value)}`, wrongType);
  }

  object(value: unknown, path: string): Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.bad(path, 'an object', value, true);
    return value as Obj;
  }

  /** When decoding, the source must have exactly the canonical object's fields (none missing: checked on read). */
  exactFields(source: Obj, canonical: object, path: string): void {
    if (!this.rejectExtra) return;
    const expected = Object.keys(canonical).length;
    const keys = Object.keys(source);
    if (keys.length === expected) return;
    const extra = keys.find((k) => !(k in canonical)) ?? '?';
    this.fail('TW_ERR_BAD_VALUE', `${path} has an unexpected field ${describe(extra)}`, false);
  }

  // `+ 0` turns JSON's `-0` into 0, as the binary codec (and JSON.stringify) would.
  uint(o: Obj, key: string, path: string): number {
    const v = o[key];
    return isSafeUint(v) ? v + 0 : this.bad(`${path}.${key}`, 'a non-negative safe integer', v, typeof v !== 'number');
  }

  int(o: Obj, key: string, path: string): number {
    const v = o[key];
    return isSafeInt(v) ? v + 0 : this.bad(`${path}.${key}`, 'a safe integer', v, typeof v !== 'number');
  }

  boolean(o: Obj, key: string, path: string): boolean {
    const v = o[key];
    return typeof v === 'boolean' ? v : this.bad(`${path}.${key}`, 'a boolean', v, true);
  }

  array(o: Obj, key: string, path: string): unknown[] {
    const v = o[key];
    return Array.isArray(v) ? v : this.bad(`${path}.${key}`, 'an array', v, true);
  }

  string(o: Obj, key: string, path: string): string {
    return this.stringValue(o[key], `${path}.${key}`);
  }

  stringValue(v: unknown, path: string): string {
    if (typeof v !== 'string') return this.bad(path, 'a string', v, true);
    if (v.length > MAX_STRING_BYTES || (v.length * 3 > MAX_STRING_BYTES && utf8ByteLength(v) > MAX_STRING_BYTES)) {
      return this.fail('TW_ERR_STRING_TOO_LONG', `${path} exceeds ${MAX_STRING_BYTES} UTF-8 bytes`, false);
    }
    if (!isWellFormedUtf16(v)) return this.fail('TW_ERR_BAD_STRING', `${path} holds a lone surrogate`, true);
    return v;
  }

  decimals(o: Obj, key: string): number {
    const v = o[key];
    return isDecimals(v) ? v + 0 : this.bad(`instrument.${key}`, 'an integer 0..18', v, typeof v !== 'number');
  }

  requestInterval(o: Obj, path: string): number {
    const v = o.interval;
    return isRequestInterval(v) ? v + 0 : this.bad(`${path}.interval`, 'an interval 0 .. 2^31-1 (seconds)', v, typeof v !== 'number');
  }

  intervalOrNone(o: Obj, path: string) {
    const v = o.interval;
    return isIntervalOrNone(v)
      ? ((v + 0) as BarInterval | 0)
      : this.bad(`${path}.interval`, '0 or one of BAR_INTERVALS (seconds)', v, typeof v !== 'number');
  }

  historyPage(o: Obj): HistoryPageMessage {
    const requestId = this.uint(o, 'requestId', 'historyPage');
    const instrumentId = this.uint(o, 'instrumentId', 'historyPage');
    const interval = isBarIntervalValue(o.interval)
      ? ((o.interval + 0) as BarInterval)
      : this.bad('historyPage.interval', 'one of BAR_INTERVALS (seconds)', o.interval, typeof o.interval !== 'number');
    const raw = this.array(o, 'bars', 'historyPage');
    if (raw.length > MAX_HISTORY_PAGE_BARS) {
      return this.fail('TW_ERR_BAD_VALUE', `historyPage holds ${raw.length} bars, more than ${MAX_HISTORY_PAGE_BARS}`, false);
    }
    const bars = raw.map((u) => this.update(u));
    const problem = historyBarsProblem(bars, instrumentId, interval);
    if (problem !== undefined) return this.fail('TW_ERR_BAD_VALUE', `historyPage ${problem}`, false);
    return { type: 'historyPage', requestId, instrumentId, interval, bars: bars as Bar[], more: this.boolean(o, 'more', 'historyPage') };
  }

  instrument(value: unknown): InstrumentEntry {
    const o = this.object(value, 'instruments[]');
    const entry: InstrumentEntry = {
      id: this.uint(o, 'id', 'instrument'),
      symbol: this.string(o, 'symbol', 'instrument'),
      venue: this.string(o, 'venue', 'instrument'),
      assetClass: isAssetClass(o.assetClass)
        ? ((o.assetClass + 0) as AssetClass)
        : this.bad('instrument.assetClass', 'an AssetClass (0..5)', o.assetClass, typeof o.assetClass !== 'number'),
      priceDecimals: this.decimals(o, 'priceDecimals'),
      sizeDecimals: this.decimals(o, 'sizeDecimals'),
      removed: this.boolean(o, 'removed', 'instrument'),
    };
    this.exactFields(o, entry, 'instrument');
    return entry;
  }

  venue(value: unknown): VenueStatus {
    const o = this.object(value, 'venues[]');
    const state = isVenueState(o.state) ? o.state : this.bad('status.state', VENUE_STATE_LIST, o.state, typeof o.state !== 'string');
    const entry: VenueStatus = { venue: this.string(o, 'venue', 'status'), state, reason: this.string(o, 'reason', 'status') };
    this.exactFields(o, entry, 'status entry');
    return entry;
  }

  subscribeEntry(value: unknown): SubscribeEntry {
    const o = this.object(value, 'symbols[]');
    const entry: SubscribeEntry = { symbol: this.string(o, 'symbol', 'subscribe'), lastSeq: this.uint(o, 'lastSeq', 'subscribe') };
    this.exactFields(o, entry, 'subscribe entry');
    return entry;
  }

  update(value: unknown): MarketUpdate {
    const o = this.object(value, 'updates[]');
    const kind = o.kind;
    let update: MarketUpdate;
    if (kind === 'trade') update = this.trade(o);
    else if (kind === 'quote') update = this.quote(o);
    else if (kind === 'bar') update = this.bar(o);
    else if (kind === 'session') update = this.session(o);
    else return this.fail('TW_ERR_UNKNOWN_UPDATE_KIND', `unknown update kind ${describe(kind)}`, true);
    this.exactFields(o, update, kind);
    return update;
  }

  private trade(o: Obj): Trade {
    const side = isSide(o.side) ? ((o.side + 0) as Side) : this.bad('trade.side', 'a Side (0, 1 or 2)', o.side, typeof o.side !== 'number');
    const rawId = o.tradeId;
    const tradeId = typeof rawId === 'string' ? this.stringValue(rawId, 'trade.tradeId') : this.uint(o, 'tradeId', 'trade');
    return {
      kind: 'trade',
      instrumentId: this.uint(o, 'instrumentId', 'trade'),
      seq: this.uint(o, 'seq', 'trade'),
      eventTimeUs: this.uint(o, 'eventTimeUs', 'trade'),
      receiveTimeUs: this.uint(o, 'receiveTimeUs', 'trade'),
      price: this.int(o, 'price', 'trade'),
      size: this.uint(o, 'size', 'trade'),
      side,
      tradeId,
    };
  }

  private quote(o: Obj): Quote {
    const quote: Quote = {
      kind: 'quote',
      instrumentId: this.uint(o, 'instrumentId', 'quote'),
      seq: this.uint(o, 'seq', 'quote'),
      eventTimeUs: this.uint(o, 'eventTimeUs', 'quote'),
      receiveTimeUs: this.uint(o, 'receiveTimeUs', 'quote'),
      bid: this.int(o, 'bid', 'quote'),
      bidSize: this.uint(o, 'bidSize', 'quote'),
      ask: this.int(o, 'ask', 'quote'),
      askSize: this.uint(o, 'askSize', 'quote'),
    };
    this.safeDelta(quote.ask - quote.bid, 'quote.ask - quote.bid');
    return quote;
  }

  private bar(o: Obj): Bar {
    const interval = isBarIntervalValue(o.interval)
      ? o.interval
      : this.bad('bar.interval', 'one of BAR_INTERVALS (seconds)', o.interval, typeof o.interval !== 'number');
    const bar: Bar = {
      kind: 'bar',
      instrumentId: this.uint(o, 'instrumentId', 'bar'),
      seq: this.uint(o, 'seq', 'bar'),
      eventTimeUs: this.uint(o, 'eventTimeUs', 'bar'),
      receiveTimeUs: this.uint(o, 'receiveTimeUs', 'bar'),
      interval,
      openTimeUs: this.uint(o, 'openTimeUs', 'bar'),
      open: this.int(o, 'open', 'bar'),
      high: this.int(o, 'high', 'bar'),
      low: this.int(o, 'low', 'bar'),
      close: this.int(o, 'close', 'bar'),
      volume: this.uint(o, 'volume', 'bar'),
      tradeCount: this.uint(o, 'tradeCount', 'bar'),
      vwap: this.int(o, 'vwap', 'bar'),
    };
    this.safeDelta(bar.high - bar.open, 'bar.high - bar.open');
    this.safeDelta(bar.low - bar.open, 'bar.low - bar.open');
    this.safeDelta(bar.close - bar.open, 'bar.close - bar.open');
    this.safeDelta(bar.vwap - bar.open, 'bar.vwap - bar.open');
    return bar;
  }

  private session(o: Obj): SessionStats {
    const session: SessionStats = {
      kind: 'session',
      instrumentId: this.uint(o, 'instrumentId', 'session'),
      seq: this.uint(o, 'seq', 'session'),
      eventTimeUs: this.uint(o, 'eventTimeUs', 'session'),
      receiveTimeUs: this.uint(o, 'receiveTimeUs', 'session'),
      startTimeUs: this.uint(o, 'startTimeUs', 'session'),
      open: this.int(o, 'open', 'session'),
      high: this.int(o, 'high', 'session'),
      low: this.int(o, 'low', 'session'),
      close: this.int(o, 'close', 'session'),
      volume: this.uint(o, 'volume', 'session'),
      tradeCount: this.uint(o, 'tradeCount', 'session'),
    };
    this.safeDelta(session.high - session.open, 'session.high - session.open');
    this.safeDelta(session.low - session.open, 'session.low - session.open');
    this.safeDelta(session.close - session.open, 'session.close - session.open');
    return session;
  }

  /** The binary layout carries these differences as svarints, so JSON accepts only what binary can carry. */
  private safeDelta(delta: number, path: string): void {
    if (!Number.isSafeInteger(delta)) this.bad(path, 'a safe integer', delta, false);
  }
}
