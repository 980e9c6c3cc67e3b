import { describe, expect, it } from 'vitest';
import { Side, type Trade } from '../../../lib/market/types';
import { BINARY_CODEC, JSON_CODEC, type Codec } from '../../../lib/protocol';
import type { BatchMessage } from '../../../lib/protocol/messages';
import { Connection, type ConnectionSocket } from '../../../server/gateway/connection';
import { FlushFrame } from '../../../server/gateway/flush-frame';
import { History } from '../../../server/history/history';

const T0 = 1_700_006_400_000_000; // a UTC midnight

function trade(instrumentId: number, seq: number): Trade {
  const t = T0 + seq * 1_000_000;
  return { kind: 'trade', instrumentId, seq, eventTimeUs: t, receiveTimeUs: t, price: 100 + seq, size: 1, side: Side.Buy, tradeId: seq };
}

const socket = { OPEN: 1, readyState: 1, bufferedAmount: 0 } as unknown as ConnectionSocket;
const connection = (codec: Codec = BINARY_CODEC) => new Connection(socket, codec, 'test', 0, 0, { requestBurst: 1, requestRatePerSec: 1 });

/** A flush of two trades of instrument 1 and one of instrument 2, with the bars they changed. */
function frame(): FlushFrame {
  const ticks = [trade(1, 1), trade(1, 2), trade(2, 1)];
  return new FlushFrame(T0, ticks, new History().apply(ticks));
}

const decoded = (codec: Codec, bytes: Uint8Array | string | null) => codec.decodeServer(bytes!) as BatchMessage;
const shape = (batch: BatchMessage) =>
  batch.updates.map((u) => `${u.kind}${u.kind === 'bar' ? u.interval : ''}@${u.instrumentId}#${u.seq}`);

describe('FlushFrame', () => {
  it("sends an instrument's ticks once, then the bars of each interval held for it, ascending", () => {
    const f = frame();
    const c = connection();
    c.subscribePairs([1], 60);
    c.subscribePairs([1], 1);
    c.subscribePairs([1], 0);
    expect(shape(decoded(BINARY_CODEC, f.batchFor(c)))).toEqual(['trade@1#1', 'trade@1#2', 'bar1@1#1', 'bar1@1#2', 'bar60@1#2']);
  });

  it('adds the bars of every `all` interval to an instrument held by name, and the same in JSON', () => {
    const f = frame();
    const binary = connection();
    const json = connection(JSON_CODEC);
    for (const c of [binary, json]) {
      c.subscribeAll(5);
      c.subscribePairs([2], 60);
    }
    const expected = ['trade@1#1', 'trade@1#2', 'bar5@1#2', 'trade@2#1', 'bar5@2#1', 'bar60@2#1'];
    expect(shape(decoded(BINARY_CODEC, f.batchFor(binary)))).toEqual(expected);
    expect(shape(decoded(JSON_CODEC, f.batchFor(json)))).toEqual(expected);
  });

  it('gives connections holding the same pairs the very same bytes, encoding each segment once', () => {
    const f = frame();
    const a = connection();
    const b = connection();
    const other = connection();
    a.subscribePairs([1, 2], 60);
    a.subscribePairs([1], 0);
    b.subscribePairs([1], 0);
    b.subscribePairs([2, 1], 60);
    other.subscribePairs([1], 0);
    const bytes = f.batchFor(a);
    expect(f.batchFor(b)).toBe(bytes);
    expect(f.batchFor(other)).not.toEqual(bytes);
    // Ticks of 1 and 2, bars of 60 of 1 and 2: four segments, shared by all three batches.
    expect([f.segmentsEncoded, f.batchesAssembled]).toEqual([4, 2]);
  });

  it('has nothing for a connection holding no pair of an instrument in the flush', () => {
    const c = connection();
    c.subscribePairs([3], 60);
    expect(frame().batchFor(c)).toBeNull();
  });
});
