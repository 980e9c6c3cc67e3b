/**
 * When each simulated instrument next produces an event: a binary min-heap over instrument
 * indices keyed by (time, index), so picking the next event among thousands of instruments is
 * O(log n) and ties resolve the same way on every run.
 */
export class ArrivalSchedule {
  private readonly times: Float64Array;
  /** Heap of instrument indices; heap[0] is due first. */
  private readonly heap: Int32Array;

  /** Every instrument (0..count-1) starts due at `startUs`. */
  constructor(count: number, startUs = 0) {
    this.times = new Float64Array(count).fill(startUs);
    this.heap = Int32Array.from({ length: count }, (_, i) => i);
  }

  /** Index of the instrument due first. */
  topIndex(): number {
    return this.heap[0] as number;
  }

  /** Time the first instrument is due, µs of simulated time. */
  topTime(): number {
    return this.times[this.heap[0] as number] as number;
  }

  /** Reschedules the instrument due first to `timeUs` (not before its current time). */
  rescheduleTop(timeUs: number): void {
    const { heap, times } = this;
    const moved = heap[0] as number;
    times[moved] = timeUs;
    const n = heap.length;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.before(heap[right] as number, heap[left] as number)) child = right;
      const childIndex = heap[child] as number;
      if (!this.before(childIndex, moved)) break;
      heap[at] = childIndex;
      at = child;
    }
    heap[at] = moved;
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a] as number;
    const tb = this.times[b] as number;
    return ta < tb || (ta === tb && a < b);
  }
}
