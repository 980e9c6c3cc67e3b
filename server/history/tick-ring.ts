/**
 * A fixed-capacity ring of one instrument's ticks, stored field by field in typed arrays rather than
 * as the tick objects themselves. History keeps thousands of ticks per instrument for resume
 * (2,000 by default, ~10 s at 200 updates/s); held as objects, every tick of a 20,000 updates/s
 * feed lived long enough to be promoted to V8's old generation and die there, and the collections
 * that cleaned them up were the longest pauses of the gateway's flush (docs/performance.md,
 * "Fan-out"). Here a push copies numbers into preallocated arrays; objects are built again only when
 * a client resumes or asks for recent trades.
 */
import type { Side } from '../../lib/market/types';
import type { Tick } from '../bus/types';

const KIND_QUOTE = 0;
const KIND_TRADE = 1;

export class TickRing {
  private readonly kind: Uint8Array;
  private readonly side: Uint8Array;
  private readonly seq: Float64Array;
  private readonly eventTimeUs: Float64Array;
  private readonly receiveTimeUs: Float64Array;
  /** Trade price or quote bid (mantissas). */
  private readonly a: Float64Array;
  /** Trade size or quote bid size. */
  private readonly b: Float64Array;
  /** Quote ask (unused for trades). */
  private readonly c: Float64Array;
  /** Quote ask size, or a trade's numeric trade id. */
  private readonly d: Float64Array;
  /** String trade ids, by slot; undefined where the id is numeric or the tick is a quote. */
  private readonly stringIds: (string | undefined)[];
  /** Physical index of the oldest tick. */
  private head = 0;
  private count = 0;

  /**
   * @param instrumentId - the instrument every tick in this ring belongs to
   * @param capacity - ticks held before the oldest is overwritten (a positive integer)
   */
  constructor(
    readonly instrumentId: number,
    readonly capacity: number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new TypeError(`capacity must be a positive integer, got ${String(capacity)}`);
    }
    this.kind = new Uint8Array(capacity);
    this.side = new Uint8Array(capacity);
    this.seq = new Float64Array(capacity);
    this.eventTimeUs = new Float64Array(capacity);
    this.receiveTimeUs = new Float64Array(capacity);
    this.a = new Float64Array(capacity);
    this.b = new Float64Array(capacity);
    this.c = new Float64Array(capacity);
    this.d = new Float64Array(capacity);
    this.stringIds = new Array<string | undefined>(capacity).fill(undefined);
  }

  /** Ticks held. */
  get size(): number {
    return this.count;
  }

  /** Appends `tick` (of this ring's instrument), overwriting the oldest when full. */
  push(tick: Tick): void {
    let slot: number;
    if (this.count < this.capacity) {
      slot = (this.head + this.count) % this.capacity;
      this.count += 1;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    this.seq[slot] = tick.seq;
    this.eventTimeUs[slot] = tick.eventTimeUs;
    this.receiveTimeUs[slot] = tick.receiveTimeUs;
    if (tick.kind === 'quote') {
      this.kind[slot] = KIND_QUOTE;
      this.a[slot] = tick.bid;
      this.b[slot] = tick.bidSize;
      this.c[slot] = tick.ask;
      this.d[slot] = tick.askSize;
      this.stringIds[slot] = undefined;
    } else {
      this.kind[slot] = KIND_TRADE;
      this.a[slot] = tick.price;
      this.b[slot] = tick.size;
      this.side[slot] = tick.side;
      if (typeof tick.tradeId === 'string') {
        this.stringIds[slot] = tick.tradeId;
      } else {
        this.d[slot] = tick.tradeId;
        this.stringIds[slot] = undefined;
      }
    }
  }

  /** Sequence number of the tick at logical `index` (0 = oldest), or undefined outside 0..size-1. */
  seqAt(index: number): number | undefined {
    if (!(index >= 0 && index < this.count)) return undefined;
    return this.seq[(this.head + index) % this.capacity];
  }

  /** The tick at logical `index` (0 = oldest) as a new object, or undefined outside 0..size-1. */
  at(index: number): Tick | undefined {
    if (!(index >= 0 && index < this.count)) return undefined;
    return this.build((this.head + index) % this.capacity);
  }

  /** Ticks from logical index `start` to the newest, oldest first, as new objects. */
  slice(start = 0): Tick[] {
    const from = Math.max(0, Math.min(this.count, Math.floor(start)));
    const out = new Array<Tick>(this.count - from);
    for (let i = from; i < this.count; i += 1) out[i - from] = this.build((this.head + i) % this.capacity);
    return out;
  }

  /** The newest `limit` ticks (all when omitted), oldest first. */
  last(limit?: number): Tick[] {
    if (limit === undefined || !(limit < this.count)) return this.slice(0);
    return this.slice(this.count - Math.max(0, Math.floor(limit)));
  }

  /** Logical index of the first tick with seq > `afterSeq` (ticks are in seq order); `size` when none. */
  firstIndexAfterSeq(afterSeq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.seq[(this.head + mid) % this.capacity] as number) > afterSeq) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private build(slot: number): Tick {
    if (this.kind[slot] === KIND_QUOTE) {
      return {
        kind: 'quote',
        instrumentId: this.instrumentId,
        seq: this.seq[slot] as number,
        eventTimeUs: this.eventTimeUs[slot] as number,
        receiveTimeUs: this.receiveTimeUs[slot] as number,
        bid: this.a[slot] as number,
        bidSize: this.b[slot] as number,
        ask: this.c[slot] as number,
        askSize: this.d[slot] as number,
      };
    }
    return {
      kind: 'trade',
      instrumentId: this.instrumentId,
      seq: this.seq[slot] as number,
      eventTimeUs: this.eventTimeUs[slot] as number,
      receiveTimeUs: this.receiveTimeUs[slot] as number,
      price: this.a[slot] as number,
      size: this.b[slot] as number,
      side: this.side[slot] as Side,
      tradeId: this.stringIds[slot] ?? (this.d[slot] as number),
    };
  }
}
