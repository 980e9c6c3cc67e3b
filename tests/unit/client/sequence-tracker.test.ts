import { describe, expect, it } from 'vitest';
import { SeqVerdict, SequenceTracker, type SequencedUpdate } from '../../../lib/client/sequence-tracker';

const trade = (seq: number, instrumentId = 1): SequencedUpdate => ({ kind: 'trade', instrumentId, seq });
const quote = (seq: number, instrumentId = 1): SequencedUpdate => ({ kind: 'quote', instrumentId, seq });
const bar = (seq: number, instrumentId = 1): SequencedUpdate => ({ kind: 'bar', instrumentId, seq });

describe('SequenceTracker', () => {
  describe('#check in a normal batch', () => {
    it('accepts consecutive trades and quotes and advances the position', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      expect(t.check(trade(11), false)).toBe(SeqVerdict.Accept);
      expect(t.check(quote(12), false)).toBe(SeqVerdict.Accept);
      expect(t.position(1)).toBe(12);
    });

    it('drops an update at or below the position as a duplicate', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      expect(t.check(trade(10), false)).toBe(SeqVerdict.Duplicate);
      expect(t.check(quote(3), false)).toBe(SeqVerdict.Duplicate);
      expect(t.position(1)).toBe(10);
    });

    it('reports a gap, keeps the last contiguous position and waits for a snapshot', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      expect(t.check(trade(12), false)).toBe(SeqVerdict.Gap);
      expect(t.position(1)).toBe(10);
      expect(t.isAwaiting(1)).toBe(true);
      expect(t.check(trade(13), false)).toBe(SeqVerdict.Awaiting);
    });

    it('keeps instruments independent', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      t.setPosition(2, 100);
      expect(t.check(trade(12, 1), false)).toBe(SeqVerdict.Gap);
      expect(t.check(trade(101, 2), false)).toBe(SeqVerdict.Accept);
    });

    it('accepts bars without moving the position (they carry their last trade seq)', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      expect(t.check(bar(10), false)).toBe(SeqVerdict.Accept);
      expect(t.check(bar(8), false)).toBe(SeqVerdict.Accept);
      expect(t.check(bar(15), false)).toBe(SeqVerdict.Accept);
      expect(t.position(1)).toBe(10);
    });

    it('starts an unseen instrument at its first trade or quote', () => {
      const t = new SequenceTracker();
      expect(t.check(quote(500, 7), false)).toBe(SeqVerdict.Accept);
      expect(t.position(7)).toBe(500);
      expect(t.check(trade(501, 7), false)).toBe(SeqVerdict.Accept);
    });
  });

  describe('#check in a conflated batch', () => {
    it('accepts a jump and takes the highest sequence', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      expect(t.check(quote(40), true)).toBe(SeqVerdict.Accept);
      expect(t.position(1)).toBe(40);
      expect(t.check(trade(41), false)).toBe(SeqVerdict.Accept);
    });

    it('lets a bar carry the position forward (trades were folded into it)', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      expect(t.check(bar(30), true)).toBe(SeqVerdict.Accept);
      expect(t.check(quote(25), true)).toBe(SeqVerdict.Duplicate);
      expect(t.position(1)).toBe(30);
      expect(t.check(trade(31), false)).toBe(SeqVerdict.Accept);
    });
  });

  describe('#setPosition (snapshot)', () => {
    it('resets the position and ends the wait after a gap', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      t.check(trade(15), false);
      t.setPosition(1, 20);
      expect(t.isAwaiting(1)).toBe(false);
      expect(t.check(trade(20), false)).toBe(SeqVerdict.Duplicate);
      expect(t.check(trade(21), false)).toBe(SeqVerdict.Accept);
    });

    it('may move the position backwards (a snapshot is authoritative)', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 50);
      t.setPosition(1, 5);
      expect(t.check(trade(6), false)).toBe(SeqVerdict.Accept);
    });
  });

  describe('#cancelAwait', () => {
    it('ends the wait and restarts the instrument at its next update', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      expect(t.check(trade(12), false)).toBe(SeqVerdict.Gap);
      t.cancelAwait(1);
      expect(t.position(1)).toBeUndefined();
      expect(t.check(trade(99), false)).toBe(SeqVerdict.Accept);
    });

    it('leaves an instrument that was not waiting untouched', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      t.cancelAwait(1);
      expect(t.position(1)).toBe(10);
    });
  });

  describe('#forget and #clear', () => {
    it('drop positions so resume lists only what is tracked', () => {
      const t = new SequenceTracker();
      t.setPosition(1, 10);
      t.setPosition(2, 20);
      t.forget(1);
      expect([...t.positions()]).toEqual([[2, 20]]);
      t.clear();
      expect(t.size).toBe(0);
    });
  });
});
