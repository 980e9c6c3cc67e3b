/**
 * A bus's handler list for one kind of message, shared by the in-process and the JetStream buses.
 */
import type { Logger } from '../log';
import type { Unsubscribe } from './types';

export type Handler<T> = (value: T) => void;

/** A list of handlers that survives handlers (un)subscribing while it is being called. */
export class Channel<T> {
  private handlers: readonly Handler<T>[] = [];

  constructor(
    private readonly name: string,
    private readonly logger: Logger | undefined,
  ) {}

  add(handler: Handler<T>): Unsubscribe {
    if (typeof handler !== 'function') throw new TypeError(`${this.name} handler must be a function`);
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry: Handler<T> = (value) => handler(value);
    this.handlers = [...this.handlers, entry];
    return () => {
      this.handlers = this.handlers.filter((h) => h !== entry);
    };
  }

  emit(value: T): void {
    for (const handler of this.handlers) {
      try {
        handler(value);
      } catch (error) {
        this.logger?.error('bus handler threw', { channel: this.name, error: String(error) });
      }
    }
  }

  clear(): void {
    this.handlers = [];
  }
}
