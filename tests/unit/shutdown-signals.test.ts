import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DUPLICATE_SIGNAL_MS, onShutdownSignals, type ShutdownSignal } from '../../server/shutdown-signals';

function harness() {
  const source = new EventEmitter();
  let now = 0;
  const calls: string[] = [];
  onShutdownSignals(
    { first: (s: ShutdownSignal) => calls.push(`first ${s}`), again: (s: ShutdownSignal) => calls.push(`again ${s}`) },
    source as unknown as { on(event: ShutdownSignal, listener: () => void): unknown },
    () => now,
  );
  return { calls, send: (signal: ShutdownSignal, atMs: number) => ((now = atMs), source.emit(signal)) };
}

describe('onShutdownSignals', () => {
  it('starts a graceful stop on the first signal and stops now on a later one', () => {
    const h = harness();
    h.send('SIGINT', 0);
    h.send('SIGINT', 800);
    expect(h.calls).toEqual(['first SIGINT', 'again SIGINT']);
  });
  it('takes a repeat within DUPLICATE_SIGNAL_MS as the same Ctrl-C delivered twice', () => {
    const h = harness();
    h.send('SIGINT', 1000);
    h.send('SIGINT', 1030); // tsx's relay, 30 ms later
    h.send('SIGINT', 1000 + DUPLICATE_SIGNAL_MS - 1);
    expect(h.calls).toEqual(['first SIGINT']);
    h.send('SIGINT', 1000 + DUPLICATE_SIGNAL_MS);
    expect(h.calls).toEqual(['first SIGINT', 'again SIGINT']);
  });
  it('treats SIGTERM like SIGINT and passes on which one came', () => {
    const h = harness();
    h.send('SIGTERM', 0);
    h.send('SIGINT', 500);
    expect(h.calls).toEqual(['first SIGTERM', 'again SIGINT']);
  });
});
