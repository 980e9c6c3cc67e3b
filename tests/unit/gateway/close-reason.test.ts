import { describe, expect, it } from 'vitest';
import { MAX_CLOSE_REASON_BYTES, fitCloseReason } from '../../../server/gateway/close-reason';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('fitCloseReason', () => {
  it('keeps a short ASCII reason as it is', () => {
    expect(fitCloseReason('subscribe rate limit exceeded')).toBe('subscribe rate limit exceeded');
  });

  it('cuts a long ASCII reason to exactly 123 bytes', () => {
    const cut = fitCloseReason('x'.repeat(500));
    expect(cut).toBe('x'.repeat(MAX_CLOSE_REASON_BYTES));
  });

  it('cuts by UTF-8 bytes, not UTF-16 units, when the reason quotes non-ASCII text', () => {
    const reason = `unknown message type "${'€'.repeat(60)}"`;
    const cut = fitCloseReason(reason);
    expect(bytes(cut)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(reason.startsWith(cut)).toBe(true);
    expect(bytes(cut)).toBeGreaterThan(MAX_CLOSE_REASON_BYTES - 3);
  });

  it('never splits a surrogate pair', () => {
    const cut = fitCloseReason('😀'.repeat(40));
    expect(cut).toBe('😀'.repeat(30));
    expect(bytes(cut)).toBe(120);
  });

  it('counts a lone surrogate as the 3 bytes it is sent as', () => {
    const cut = fitCloseReason('\ud800'.repeat(50));
    expect(bytes(cut)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(cut.length).toBe(41);
  });
});
