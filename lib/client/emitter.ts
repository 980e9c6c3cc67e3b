/**
 * A tiny typed event emitter (no Node `EventEmitter`, so it runs in browsers). A throwing handler
 * cannot break the client or other handlers: the exception is passed to `onHandlerError`.
 */

/** Handler of one event. */
export type Listener<T> = (payload: T) => void;

/** Typed emitter over an event map `{ name: payloadType }`. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** @param onHandlerError - receives exceptions thrown by handlers; defaults to reporting asynchronously. */
  constructor(private readonly onHandlerError: (error: unknown) => void = rethrowLater) {}

  /** Adds a handler; returns a function that removes it. */
  on<K extends keyof Events>(event: K, handler: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(handler as Listener<never>);
    return () => {
      set.delete(handler as Listener<never>);
    };
  }

  /** Calls every handler of `event` with `payload`, in the order they were added. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return;
    for (const handler of set) {
      try {
        (handler as Listener<Events[K]>)(payload);
      } catch (error) {
        this.onHandlerError(error);
      }
    }
  }

  /** True when `event` has at least one handler (lets the caller skip building a payload). */
  has<K extends keyof Events>(event: K): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  /** Removes every handler. */
  clear(): void {
    this.#listeners.clear();
  }
}

/** Surfaces a handler's exception the way an uncaught one would, without unwinding the emitter. */
function rethrowLater(error: unknown): void {
  setTimeout(() => {
    throw error;
  }, 0);
}
