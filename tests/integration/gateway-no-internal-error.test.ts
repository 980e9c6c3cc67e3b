/**
 * No client input makes the gateway fail: whatever a client sends in a well-formed request
 * (subscribe, unsubscribe, history, ping, pong; any names, intervals, ids, resume positions, end
 * times and counts, up to the
 * protocol's limits), the answer is an ack, an `error` reply, or a documented close (1007, 1008,
 * 1009), never close 1011 "internal error", and the server logs no error. Properties over real
 * sockets, with a feed whose names include ambiguous bare symbols.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_STRING_BYTES, SUBPROTOCOL_BINARY, SUBPROTOCOL_JSON } from '../../lib/protocol';
import type { ClientMessage } from '../../lib/protocol/messages';
import { fitUtf8 } from '../../lib/text/fit-utf8';
import type { FeedAdapter } from '../../server/adapters/types';
import { createLogger } from '../../server/log';
import { gatewayFixture } from '../support/gateway-fixture';
import { isType } from '../support/raw-client';

const { feed, connect } = gatewayFixture();

/** A venue listing `symbols`, with one trade each so snapshots and bars have content. */
function venue(name: string, symbols: readonly string[]): FeedAdapter {
  return {
    name: `venue-${name}`,
    venue: name,
    async start(sink) {
      sink.instruments(symbols.map((symbol) => ({ symbol, priceDecimals: 2, sizeDecimals: 0 })));
      sink.status('live');
      for (const symbol of symbols) sink.trade({ symbol, price: '10.00', size: '1', side: 'buy', eventTimeUs: Date.now() * 1000 });
    },
    async stop() {},
  };
}

/** Listed by both venues: bare, each is ambiguous. */
const SHARED = ['BTC-USD', 'ETH-USD', 'X'];
const LONG_SYMBOL = 'L'.repeat(60);

const INTERVALS = [0, 1, 5, 60, 300, 900, 3600];
const maxU32 = 0xffff_ffff;

/** Names a client might send: full, bare (ambiguous), case-changed, long unknown, arbitrary text, all within the string limit. */
const name = fc.oneof(
  fc.constantFrom(
    ...SHARED,
    ...SHARED.map((s) => `A:${s}`),
    ...SHARED.map((s) => `B:${s}`),
    `A:${LONG_SYMBOL}`,
    LONG_SYMBOL,
    'a:btc-usd',
    'NOPE',
    '',
  ),
  fc.integer({ min: MAX_STRING_BYTES - 40, max: MAX_STRING_BYTES }).map((n) => 'U'.repeat(n)),
  fc.integer({ min: 200, max: 341 }).map((n) => '€'.repeat(n)),
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 600 }).map((s) => fitUtf8(s, MAX_STRING_BYTES)),
);

const interval = fc.oneof(fc.constantFrom(...INTERVALS), fc.integer({ min: 0, max: 2 ** 31 - 1 }));
const requestId = fc.integer({ min: 0, max: maxU32 });

const request: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({
    type: fc.constant('subscribe' as const),
    requestId,
    all: fc.boolean(),
    interval,
    resumeEpoch: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 40 })),
    symbols: fc.array(fc.record({ symbol: name, lastSeq: fc.oneof(fc.nat(100), fc.maxSafeNat()) }), { maxLength: 12 }),
  }),
  fc.record({
    type: fc.constant('unsubscribe' as const),
    requestId,
    all: fc.boolean(),
    interval,
    symbols: fc.array(name, { maxLength: 12 }),
  }),
  fc.record({
    type: fc.constant('history' as const),
    requestId,
    symbol: name,
    interval,
    endTimeUs: fc.oneof(fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER), fc.maxSafeNat(), fc.constant(Date.now() * 1000)),
    count: fc.oneof(
      fc.constantFrom(0, 1, 1000, 1001, 2 ** 31, Number.MAX_SAFE_INTEGER),
      fc.integer({ min: 1, max: 1000 }),
      fc.maxSafeNat(),
    ),
  }),
  fc.record({ type: fc.constant('ping' as const), nonce: fc.integer({ min: 0, max: maxU32 }), sentTimeUs: fc.maxSafeNat() }),
  fc.record({ type: fc.constant('pong' as const), nonce: fc.integer({ min: 0, max: maxU32 }), sentTimeUs: fc.maxSafeNat() }),
);

describe('Gateway with any client request', () => {
  it('never closes 1011 and never logs an error, whatever is subscribed, unsubscribed, asked of history, pinged or ponged', async () => {
    const errors: string[] = [];
    const logger = createLogger({ level: 'error', write: (line) => errors.push(line) });
    const service = await feed({
      adapters: [venue('A', [...SHARED, LONG_SYMBOL]), venue('B', SHARED)],
      logger,
      gateway: { maxSubscriptionsPerConnection: 8, requestBurst: 50 },
    });
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(request, { minLength: 1, maxLength: 6 }), async (json, requests) => {
        errors.length = 0;
        const client = await connect(service.url, { protocol: json ? SUBPROTOCOL_JSON : SUBPROTOCOL_BINARY });
        await client.waitFor(isType('instruments'));
        for (const message of requests) {
          let frame: Uint8Array | string;
          try {
            frame = client.codec.encode(message);
          } catch {
            continue; // Beyond what the protocol can carry: the decoder fuzz test's ground.
          }
          client.sendRaw(frame, !json);
        }
        // A final ping: once its pong is back, every request before it was handled.
        client.send({ type: 'ping', nonce: 4242, sentTimeUs: 1 });
        await Promise.race([
          client.waitFor((m): m is Extract<typeof m, { type: 'pong' }> => m.type === 'pong' && m.nonce === 4242, 5000),
          client.closed,
        ]).catch(() => undefined);
        const code = client.closeCode;
        client.ws.terminate();
        expect(code).not.toBe(1011);
        expect(errors).toEqual([]);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('answers a subscribe naming one unknown symbol of the longest length with an error, not 1011', async () => {
    const service = await feed();
    const client = await connect(service.url);
    await client.waitFor(isType('instruments'));
    const symbol = 'Z'.repeat(MAX_STRING_BYTES);
    client.send({ type: 'subscribe', requestId: 7, all: false, interval: 0, resumeEpoch: 0, symbols: [{ symbol, lastSeq: 0 }] });
    const error = await client.waitFor(isType('error'));
    expect(error.requestId).toBe(7);
    expect(Buffer.byteLength(error.message)).toBeLessThanOrEqual(MAX_STRING_BYTES);
    expect(error.message.endsWith('…')).toBe(true);
    client.send({ type: 'unsubscribe', requestId: 8, all: false, interval: 0, symbols: [symbol.slice(0, 600), symbol.slice(0, 601)] });
    expect(await client.waitFor(isType('error'), 5000, client.messages.indexOf(error) + 1)).toMatchObject({ requestId: 8 });
    expect(client.closeCode).toBeUndefined();
  });
});
