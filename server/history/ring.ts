/**
 * A fixed-capacity ring buffer: one array allocated up front, the oldest item overwritten when
 * full. History uses it so memory stays bounded whatever a feed sends.
 */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  /** Physical index of the oldest item. */
  private head = 0;
  private count = 0;

  /** @param capacity - items held before the oldest is overwritten (a positive integer). */
  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new TypeError(`capacity must be a positive integer, got ${String(capacity)}`);
    }
    this.items = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Items held. */
  get size(): number {
    return this.count;
  }

  /** Appends `item`; returns the item it evicted, if the ring was full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.items[(this.head + this.count) % this.capacity] = item;
      this.count += 1;
      return undefined;
    }
    const evicted = this.items[this.head];
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return evicted;
  }

  /** Item at logical `index` (0 = oldest), or `undefined` outside 0..size-1. */
  at(index: number): T | undefined {
    if (!(index >= 0 && index < this.count)) return undefined;
    return this.items[(this.head + index) % this.capacity];
  }

  /** The oldest item held. */
  oldest(): T | undefined {
    return this.at(0);
  }

  /** The newest item held. */
  newest(): T | undefined {
    return this.at(this.count - 1);
  }

  /** Items from logical index `start` to the newest, oldest first, as a new array. */
  slice(start = 0): T[] {
    const from = Math.max(0, Math.min(this.count, Math.floor(start)));
    const out = new Array<T>(this.count - from);
    for (let i = from; i < this.count; i += 1) out[i - from] = this.items[(this.head + i) % this.capacity] as T;
    return out;
  }

  /** The newest `limit` items (all when omitted), oldest first. */
  last(limit?: number): T[] {
    if (limit === undefined || !(limit < this.count)) return this.slice(0);
    return this.slice(this.count - Math.max(0, Math.floor(limit)));
  }

  /**
   * Logical index of the first item for which `isAfter` is true, assuming the items are ordered so
   * that it is false for a prefix and true for the rest (binary search); `size` when none.
   */
  firstIndexWhere(isAfter: (item: T) => boolean): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (isAfter(this.items[(this.head + mid) % this.capacity] as T)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Empties the ring (releasing references). */
  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
