import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeClientMessage,
  decodeJsonClientMessage,
  decodeJsonServerMessage,
  decodeServerMessage,
  encodeJsonMessage,
  encodeMessage,
  type AnyMessage,
} from '../../../lib/protocol';
import {
  MAX_LENGTH_STRINGS,
  capabilities,
  clientMessage,
  helloIntervals,
  pingPong,
  requestInterval,
  serverMessage,
  trade,
  update,
} from './fixtures/arbitraries';

const RUNS = 400;

describe('Binary codec', () => {
  describe('#encodeMessage then #decodeServerMessage', () => {
    it('round-trips every server message exactly', () => {
      fc.assert(
        fc.property(serverMessage, (msg) => {
          expect(decodeServerMessage(encodeMessage(msg))).toStrictEqual(msg);
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('#encodeMessage then #decodeClientMessage', () => {
    it('round-trips every client message exactly', () => {
      fc.assert(
        fc.property(clientMessage, (msg) => {
          expect(decodeClientMessage(encodeMessage(msg))).toStrictEqual(msg);
        }),
        { numRuns: RUNS },
      );
    });
  });

  it('round-trips ping and pong through both decoders', () => {
    fc.assert(
      fc.property(pingPong, (msg) => {
        const bytes = encodeMessage(msg);
        expect(decodeServerMessage(bytes)).toStrictEqual(msg);
        expect(decodeClientMessage(bytes)).toStrictEqual(msg);
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips batches of any updates, conflated or not, including empty ones', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(update, { maxLength: 50 }), (conflated, updates) => {
        const msg: AnyMessage = { type: 'batch', conflated, updates };
        expect(decodeServerMessage(encodeMessage(msg))).toStrictEqual(msg);
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips string and numeric trade ids, including maximum-length ones', () => {
    const ids = fc.oneof(
      fc.constantFrom<string | number>(0, Number.MAX_SAFE_INTEGER, '', ...MAX_LENGTH_STRINGS),
      fc.string({ unit: 'binary' }),
    );
    fc.assert(
      fc.property(trade, ids, (t, tradeId) => {
        const msg: AnyMessage = { type: 'batch', conflated: false, updates: [{ ...t, tradeId }] };
        expect(decodeServerMessage(encodeMessage(msg))).toStrictEqual(msg);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('Protocol v2 fields', () => {
  it('round-trip hello capabilities and intervals (1 .. 2^31-1) through both codecs', () => {
    fc.assert(
      fc.property(capabilities, helloIntervals, (caps, intervals) => {
        const msg: AnyMessage = {
          type: 'hello',
          protocolVersion: 2,
          serverId: 'gw',
          epoch: 1,
          heartbeatIntervalMs: 5000,
          serverTimeUs: 0,
          capabilities: caps,
          intervals,
        };
        expect(decodeServerMessage(encodeMessage(msg))).toStrictEqual(msg);
        expect(decodeJsonServerMessage(encodeJsonMessage(msg))).toStrictEqual(msg);
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trip the interval of subscribe and unsubscribe (0 .. 2^31-1) through both codecs', () => {
    fc.assert(
      fc.property(requestInterval, fc.boolean(), (interval, all) => {
        const messages: AnyMessage[] = [
          { type: 'subscribe', requestId: 1, all, interval, resumeEpoch: 0, symbols: [] },
          { type: 'unsubscribe', requestId: 2, all, interval, symbols: ['SIM:BTC-USD'] },
        ];
        for (const msg of messages) {
          expect(decodeClientMessage(encodeMessage(msg))).toStrictEqual(msg);
          expect(decodeJsonClientMessage(encodeJsonMessage(msg))).toStrictEqual(msg);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('JSON codec', () => {
  describe('#encodeJsonMessage then #decodeJsonServerMessage', () => {
    it('round-trips every server message exactly, as JSON.stringify of the message', () => {
      fc.assert(
        fc.property(fc.oneof(serverMessage, pingPong), (msg) => {
          const text = encodeJsonMessage(msg);
          expect(JSON.parse(text)).toStrictEqual(msg);
          expect(decodeJsonServerMessage(text)).toStrictEqual(msg);
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('#encodeJsonMessage then #decodeJsonClientMessage', () => {
    it('round-trips every client message exactly', () => {
      fc.assert(
        fc.property(fc.oneof(clientMessage, pingPong), (msg) => {
          expect(decodeJsonClientMessage(encodeJsonMessage(msg))).toStrictEqual(msg);
        }),
        { numRuns: RUNS },
      );
    });
  });
});

describe('Binary and JSON codecs', () => {
  it('carry the same objects: binary-decoded equals JSON-decoded', () => {
    fc.assert(
      fc.property(fc.oneof(serverMessage, pingPong), (msg) => {
        expect(decodeServerMessage(encodeMessage(msg))).toStrictEqual(decodeJsonServerMessage(encodeJsonMessage(msg)));
      }),
      { numRuns: RUNS },
    );
  });

  it('carry the same client requests: binary-decoded equals JSON-decoded', () => {
    fc.assert(
      fc.property(fc.oneof(clientMessage, pingPong), (msg) => {
        expect(decodeClientMessage(encodeMessage(msg))).toStrictEqual(decodeJsonClientMessage(encodeJsonMessage(msg)));
      }),
      { numRuns: RUNS },
    );
  });
});
