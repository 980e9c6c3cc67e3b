import { describe, expect, it } from 'vitest';
import { CLIP_MARK, clipUtf8, fitUtf8 } from '../../../lib/text/fit-utf8';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('fitUtf8', () => {
  it('keeps a text that fits as it is', () => {
    expect(fitUtf8('Unknown instrument(s): X', 1024)).toBe('Unknown instrument(s): X');
  });

  it('cuts at a code point boundary, never inside a surrogate pair', () => {
    expect(fitUtf8('😀😀😀', 9)).toBe('😀😀');
    expect(fitUtf8('€€€', 7)).toBe('€€');
  });
});

describe('clipUtf8', () => {
  it('marks a text it had to cut and keeps it within the budget', () => {
    const text = `Unknown instrument(s): ${'X'.repeat(1024)}, ${'Y'.repeat(1024)}`;
    const clipped = clipUtf8(text, 1024);
    expect(bytes(clipped)).toBeLessThanOrEqual(1024);
    expect(clipped.endsWith(CLIP_MARK)).toBe(true);
    expect(text.startsWith(clipped.slice(0, -1))).toBe(true);
  });

  it('does not mark a text that fits', () => {
    expect(clipUtf8('ok', 2)).toBe('ok');
  });

  it('stays within the budget for multi-byte text', () => {
    const clipped = clipUtf8('€'.repeat(500), 1024);
    expect(bytes(clipped)).toBeLessThanOrEqual(1024);
    expect(clipped.endsWith(CLIP_MARK)).toBe(true);
  });
});
