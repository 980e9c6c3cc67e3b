/**
 * docs/protocol.md against the code: its tables of numbers (error codes, message types, enums, close
 * codes, protocol errors), its worked examples (decimals, bar buckets, VWAP, late trades) and the
 * reason texts it lists must be what the code has and does. golden.test.ts does the same for the hex
 * and JSON examples.
 */
import type { IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BarBuilder, WEEK_ORIGIN_US, WEEK_SECONDS, alignBarOpenTime, roundedVwap } from '../../../lib/market/bars';
import { formatDecimal } from '../../../lib/market/decimal';
import { AssetClass, BAR_INTERVALS, BAR_INTERVAL_LABELS, Side, type Trade } from '../../../lib/market/types';
import {
  BINARY_CODEC,
  CloseCode,
  ErrorCode,
  JSON_CODEC,
  MAX_HISTORY_PAGE_BARS,
  MAX_STRING_BYTES,
  MessageType,
  PROTOCOL_ERROR_CLOSE_CODES,
  ProtocolError,
  RESERVED_ERROR_CODES,
  RESERVED_MESSAGE_TYPES,
  RESERVED_UPDATE_KINDS,
  UpdateKind,
  VENUE_STATES,
  decodeClientMessage,
  decodeJsonClientMessage,
} from '../../../lib/protocol';
import { CLIP_MARK, clipUtf8 } from '../../../lib/text/fit-utf8';
import { checkUpgrade, selectSubprotocol } from '../../../server/gateway/handshake';
import { GATEWAY_DEFAULTS } from '../../../server/gateway/options';
import { HISTORY_NOT_SERVED } from '../../../server/gateway/history-requests';
import { HISTORY_DEFAULTS } from '../../../server/history/history';
import { INITIAL_SLOW_CONSUMER_STATE, decideSlowConsumer } from '../../../server/gateway/slow-consumer-policy';

const spec = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

/** The text of the section whose heading starts with `heading` (up to the next heading of its level or above). */
function section(heading: string): string {
  const start = spec.indexOf(`\n${heading}`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const level = heading.split(' ')[0] as string;
  const rest = spec.slice(start + 1 + heading.length);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

/** Rows of the markdown tables in `text`, as trimmed cells (divider rows dropped; callers filter out headers). */
function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

const enumEntries = (e: object): [string, number][] =>
  Object.entries(e).filter((entry): entry is [string, number] => typeof entry[1] === 'number');

function bytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

function reasonOf(decode: () => unknown): string {
  try {
    decode();
  } catch (error) {
    if (error instanceof ProtocolError) return error.message;
    throw error;
  }
  throw new Error('decoded without an error');
}

describe('docs/protocol.md', () => {
  describe('tables of numbers', () => {
    it('lists every error code with its number and name, reserved ones included', () => {
      const listed = rows(section('### 3.5 Error codes'))
        .filter((r) => /^\d+$/.test(r[0] ?? ''))
        .map((r) => [r[1], Number(r[0])]);
      const expected = [...enumEntries(ErrorCode), ...Object.entries(RESERVED_ERROR_CODES)].sort((a, b) => a[1] - b[1]);
      expect(listed).toStrictEqual(expected);
    });

    it('lists every message type with its number, and the reserved ones', () => {
      const listed = rows(section('## 5. Binary encoding: messages'))
        .filter((r) => /^`0x/.test(r[0] ?? ''))
        .map((r) => [r[1], parseInt((r[0] as string).slice(1, -1), 16)]);
      // The table names each type as its JSON `type`: the enum name with a lower-case first letter.
      const expected = enumEntries(MessageType)
        .map(([name, value]) => [`${name.charAt(0).toLowerCase()}${name.slice(1)}`, value] as const)
        .sort((a, b) => a[1] - b[1]);
      expect(listed).toStrictEqual(expected);
      const reserved = section('### 1.3 Extending v2');
      for (const value of Object.values(RESERVED_MESSAGE_TYPES)) {
        expect(reserved).toContain(`type \`0x${value.toString(16).padStart(2, '0')}\``);
      }
      for (const value of Object.values(RESERVED_UPDATE_KINDS)) expect(reserved).toContain(`update kind ${value}`);
    });

    it('gives the numbers of asset classes, sides, update kinds and venue states as the code has them', () => {
      const enums = section('### 3.4 Enumerations');
      const assetClasses = enumEntries(AssetClass)
        .map(([name, value]) => `${value} ${name}`)
        .join(', ');
      expect(enums).toContain(assetClasses);
      const sides = enumEntries(Side)
        .map(([name, value]) => `${value} ${name.toLowerCase()}`)
        .join(', ');
      expect(enums).toContain(sides);
      const kinds = enumEntries(UpdateKind)
        .map(([name, value]) => `${value} \`${name.toLowerCase()}\``)
        .join(', ');
      expect(enums).toContain(kinds);
      const states = VENUE_STATES.map((state, i) => `${i} \`${state}\``).join(', ');
      expect(enums).toContain(states);
    });

    it('lists the bar intervals the server builds, in seconds with their labels', () => {
      const listed = rows(section('### 3.3 Bar intervals'))
        .filter((r) => r[2] === 'yes')
        .map((r) => [Number(r[0]), r[1]]);
      expect(listed).toStrictEqual(BAR_INTERVALS.map((s) => [s, BAR_INTERVAL_LABELS[s]]));
      expect(section('### 2.1 Opening')).toContain(
        `\`intervals\`: the bar intervals in seconds this server builds, ascending: \`[${BAR_INTERVALS.join(', ')}]\``,
      );
    });

    it('gives every ProtocolError code the close code the codec uses', () => {
      const listed = Object.fromEntries(
        rows(section('## 8. Decoding rules and protocol errors'))
          .filter((r) => /^`TW_ERR_/.test(r[0] ?? ''))
          .map((r) => [(r[0] as string).slice(1, -1), Number(r[1])]),
      );
      expect(listed).toStrictEqual(PROTOCOL_ERROR_CLOSE_CODES);
    });

    it('lists every close code the code names, and 1006', () => {
      const listed = rows(section('## 9. Close codes and reasons'))
        .filter((r) => /^\d{4}$/.test(r[0] ?? '') && r.length === 5)
        .map((r) => Number(r[0]));
      expect(listed).toStrictEqual([...Object.values(CloseCode), 1006].sort((a, b) => a - b));
    });
  });

  describe('worked examples', () => {
    it('reads mantissas at the instrument decimals as the table shows', () => {
      const table = rows(section('### 3.1 Decimal values')).filter((r) => /^-?\d+$/.test(r[1] ?? ''));
      expect(table.length).toBeGreaterThanOrEqual(5);
      for (const [field, mantissa, value] of table) {
        const decimals = /size|volume/.test(field as string) ? 8 : 2;
        expect(formatDecimal(Number(mantissa), decimals), field).toBe(value);
      }
    });

    it('puts trades in the UTC-aligned buckets of its bar example', () => {
      const bars = section('### 2.10 Bars');
      expect(alignBarOpenTime(1732229999870000, 60)).toBe(1732229940000000);
      expect(alignBarOpenTime(1732229999870000, 300)).toBe(1732229700000000);
      expect(alignBarOpenTime(1732230000112000, 60)).toBe(1732230000000000);
      expect(alignBarOpenTime(1732230000112000, 300)).toBe(1732230000000000);
      expect(alignBarOpenTime(1732229999870000, 14400)).toBe(1732219200000000);
      expect(alignBarOpenTime(1732229999870000, 86400)).toBe(1732147200000000);
      expect(alignBarOpenTime(1732229999870000, 604800)).toBe(1731888000000000);
      expect(new Date(1732229940000000 / 1000).toISOString()).toBe('2024-11-21T22:59:00.000Z');
      expect(new Date(1731888000000000 / 1000).toISOString()).toBe('2024-11-18T00:00:00.000Z');
      expect(new Date(1731888000000000 / 1000).getUTCDay()).toBe(1); // Monday
      const numbers = ['1732229999870000', '1732229940000000', '1732229700000000', '1732230000112000', '1732230000000000'];
      for (const n of [...numbers, '1732219200000000', '1732147200000000', '1731888000000000']) expect(bars).toContain(n);
    });

    it('states the weekly alignment rule with the constants the code uses', () => {
      const bars = section('### 2.10 Bars');
      expect(bars).toContain('`openTimeUs = floor((eventTimeUs − D) / W) × W + D`');
      expect(bars).toContain(`W = ${(WEEK_SECONDS * 1_000_000).toLocaleString('en-US')}`);
      expect(bars).toContain(`D = ${WEEK_ORIGIN_US.toLocaleString('en-US')} (4 days in µs)`);
      expect(new Date(WEEK_ORIGIN_US / 1000).toISOString()).toBe('1970-01-05T00:00:00.000Z');
      expect(section('### 3.3 Bar intervals')).toContain('1W bars, which open on Monday 00:00 UTC');
    });

    it('rounds VWAP half up as in its example, and gives close for zero volume', () => {
      const vwapOf = (trades: [number, number][]): number => {
        const builder = new BarBuilder(1, 60);
        trades.forEach(([price, size], i) => builder.add(trade(i + 1, 1732230000000000 + i, price, size)));
        return builder.current()?.vwap as number;
      };
      expect(
        vwapOf([
          [10025, 10000000],
          [10026, 10000000],
        ]),
      ).toBe(10026);
      expect(
        vwapOf([
          [10025, 30000000],
          [10026, 10000000],
        ]),
      ).toBe(10025);
      expect(roundedVwap(0, 0, 10026)).toBe(10026);
      const bars = section('### 2.10 Bars');
      expect(bars).toContain('Σ = 200510000000, volume 20000000, quotient 10025.5, **vwap 10026**');
      expect(bars).toContain('give 10025.25, vwap 10025');
    });

    it('keeps the times of the last trade folded in, which a late trade amends', () => {
      const builder = new BarBuilder(1, 60, 2);
      builder.add(trade(1, 1732229950000000, 100, 1));
      builder.add(trade(2, 1732230001000000, 101, 1));
      const late = builder.add(trade(3, 1732229959000000, 99, 1))?.toBar();
      expect(late).toMatchObject({ openTimeUs: 1732229940000000, seq: 3, eventTimeUs: 1732229959000000, close: 99, tradeCount: 2 });
      // Older than every held bar with the builder full: no bar changes.
      expect(builder.add(trade(4, 1732229800000000, 98, 1))).toBeUndefined();
    });
  });

  describe('texts the server sends', () => {
    it('clips an error text to 1024 bytes ending in the mark the spec names', () => {
      const text = clipUtf8(`Unknown instrument(s): ${'X'.repeat(1024)}`, MAX_STRING_BYTES);
      expect(Buffer.byteLength(text)).toBe(1024);
      expect(text.endsWith(CLIP_MARK)).toBe(true);
      expect(section('### 2.7 Limits')).toContain(`ends in \`${CLIP_MARK}\``);
    });

    it('quotes the handshake refusal body for a client offering no subprotocol', () => {
      const check = checkUpgrade({ headers: {} } as IncomingMessage, [], true);
      expect(check.ok).toBe(false);
      if (!check.ok) expect(section('### 1.4 Refusals at the handshake')).toContain(`\`${check.refusal.body.trimEnd()}\``);
    });

    it('states the server choice: binary whenever offered, whatever the order', () => {
      expect(selectSubprotocol(['tickwire.v2.json', 'tickwire.v2'])).toBe('tickwire.v2');
      expect(section('### 1.2 Subprotocols')).toContain('A client offering\n  `tickwire.v2.json, tickwire.v2` gets `tickwire.v2`');
    });

    it('lists the 1013 reasons of the slow-consumer policy', () => {
      const limits = GATEWAY_DEFAULTS;
      const reasons = section('## 9. Close codes and reasons');
      const hard = decideSlowConsumer(
        { ...INITIAL_SLOW_CONSUMER_STATE, hardLimitSinceMs: 0 },
        limits.hardBufferLimitBytes,
        limits.hardLimitGraceMs,
        limits,
      ).action;
      expect(hard).toMatchObject({
        kind: 'close',
        code: 1013,
        reason: `slow consumer: ${limits.hardBufferLimitBytes} bytes buffered past the hard limit`,
      });
      expect(reasons).toContain('`slow consumer: <n> bytes buffered past the hard limit`');
      const conflating = decideSlowConsumer(INITIAL_SLOW_CONSUMER_STATE, limits.softBufferLimitBytes, 0, limits).state;
      const idle = decideSlowConsumer(conflating, limits.softBufferLimitBytes, limits.maxConflatedMs, limits).action;
      expect(idle).toMatchObject({ kind: 'close', code: 1013 });
      expect(reasons).toContain(`\`${(idle as { reason: string }).reason}\``);
    });

    it('states the gateway and history defaults its sections name', () => {
      const text = `${section('### 2.5 Slow consumers')}${section('### 2.6 Liveness')}${section('### 2.7 Limits')}${section('### 2.3 Snapshots and resume')}`;
      const d = GATEWAY_DEFAULTS;
      expect(text).toContain(`soft limit** (${d.softBufferLimitBytes / 1024} KiB`);
      expect(text).toContain(`hard limit** (${d.hardBufferLimitBytes / 1024 / 1024} MiB)`);
      expect(text).toContain(`\`maxConflatedMs\` (${d.maxConflatedMs / 1000} s)`);
      expect(text).toContain(`\`hardLimitGraceMs\` (${d.hardLimitGraceMs / 1000} s)`);
      expect(text).toContain(`\`slowCloseTimeoutMs\` (${d.slowCloseTimeoutMs / 1000} s)`);
      expect(text).toContain(`default ${d.heartbeatIntervalMs} ms`);
      expect(text).toContain(`about every ${d.wsPingIntervalMs / 1000} s`);
      expect(text).toContain(`a burst of ${d.requestBurst}, refilled at ${d.requestRatePerSec} per second`);
      expect(text).toContain(`subscriptions per connection: ${d.maxSubscriptionsPerConnection} (instrument, interval) pairs`);
      expect(text).toContain(`the last ${d.snapshotBars} by default`);
      expect(text).toContain(`oldest first, ${d.snapshotTrades} by default`);
      expect(section('### 2.4 Live batches and sequence rules')).toContain(`default ${d.flushIntervalMs} ms`);
      expect(section('### 2.3 Snapshots and resume')).toContain(
        `the last ${HISTORY_DEFAULTS.tickCapacity} ticks per instrument by default`,
      );
      expect(section('### 2.10 Bars')).toContain(`the last ${HISTORY_DEFAULTS.barCapacity} bars per instrument and interval by default`);
      expect(HISTORY_DEFAULTS.intervals).toStrictEqual(BAR_INTERVALS);
    });

    it('states the history limits, budget and texts the gateway uses', () => {
      const history = section('### 2.12 History');
      const d = GATEWAY_DEFAULTS;
      expect(history).toContain(`\`count\` is 1 .. ${MAX_HISTORY_PAGE_BARS} (\`MAX_HISTORY_PAGE_BARS\`)`);
      expect(history).toContain(`\`History count 0 is outside 1..${MAX_HISTORY_PAGE_BARS} bars\``);
      expect(history).toContain(`\`${HISTORY_NOT_SERVED}\``);
      expect(history).toContain(`within ${d.historyTimeoutMs / 1000} s (gateway option \`historyTimeoutMs\`)`);
      expect(history).toContain(`\`History unavailable: no answer within ${d.historyTimeoutMs / 1000} s\``);
      expect(history).toContain(`a burst of ${d.requestBurst}, refilled at ${d.requestRatePerSec} per second`);
      expect(history).toContain(`the last ${HISTORY_DEFAULTS.barCapacity} per instrument and\ninterval`);
      expect(section('## 9. Close codes and reasons')).toContain('| 1008 | `request rate limit exceeded` |');
    });

    it.each([
      ['unknown type', () => decodeClientMessage(bytes('2f'))],
      ['server type from a client', () => decodeClientMessage(bytes('05 01'))],
      ['truncated', () => decodeClientMessage(bytes('20 01'))],
      ['trailing bytes', () => decodeClientMessage(bytes('30 01 01 ff 00'))],
      ['bad UTF-8', () => decodeClientMessage(bytes('21 01 00 00 01 01 ff'))],
      ['undefined flag bits', () => decodeClientMessage(bytes('20 01 02 00 00 00'))],
      ['interval above 2^31-1', () => decodeClientMessage(bytes('20 01 00 8080808010 00 00'))],
      ['not JSON', () => decodeJsonClientMessage('nope')],
      [
        'a string interval',
        () => decodeJsonClientMessage('{"type":"subscribe","requestId":1,"all":false,"interval":"60","resumeEpoch":0,"symbols":[]}'),
      ],
      ['unknown JSON type', () => decodeJsonClientMessage('{"type":"foo"}')],
      ['JSON server type', () => decodeJsonClientMessage('{"type":"ack","requestId":1}')],
      ['text on binary', () => BINARY_CODEC.decodeClient('{}')],
      ['binary on JSON', () => JSON_CODEC.decodeClient(new Uint8Array([0x30]))],
    ])('lists the close reason for %s as the decoder words it', (_what, decode) => {
      expect(section('## 9. Close codes and reasons')).toContain(`\`${reasonOf(decode)}\``);
    });
  });
});

function trade(seq: number, eventTimeUs: number, price: number, size: number): Trade {
  return { kind: 'trade', instrumentId: 1, seq, eventTimeUs, receiveTimeUs: eventTimeUs, price, size, side: Side.Buy, tradeId: seq };
}
