/** The scaled deployment's pure pieces: settings, subjects, NATS URLs on the command line, tick messages. */
import { describe, expect, it } from 'vitest';
import { Side } from '../../lib/market/types';
import { instrumentOfSubject, natsSettings, tickSubject } from '../../server/bus/nats/config';
import { serviceSubject } from '../../server/bus/nats/rpc';
import { decodeTicks, encodeTicks, messageId, tickHeaders } from '../../server/bus/nats/wire';
import type { Tick } from '../../server/bus/types';
import { natsUrl } from '../../server/cli/kinds';

describe('natsSettings', () => {
  it('fills the documented defaults and names bad values', () => {
    const s = natsSettings(['nats://127.0.0.1:4222']);
    expect(s).toEqual({
      servers: ['nats://127.0.0.1:4222'],
      stream: 'TICKWIRE_TICKS',
      subjectRoot: 'tickwire',
      bucket: 'tickwire',
      maxAgeMs: 3_600_000,
      maxBytes: 1024 ** 3,
    });
    expect(() => natsSettings([])).toThrow(/--nats nats:\/\/host:4222 or NATS_URL/);
    expect(() => natsSettings(['n'], { stream: 'a.b' })).toThrow(/stream must be letters/);
    expect(() => natsSettings(['n'], { subjectRoot: 'a..b' })).toThrow(/subject root/);
    expect(() => natsSettings(['n'], { subjectRoot: 'a.*' })).toThrow(/subject root/);
    expect(() => natsSettings(['n'], { maxBytes: 0 })).toThrow(/maxBytes must be a positive integer/);
  });

  it('names subjects and reads instrument ids back', () => {
    const s = natsSettings(['n'], { subjectRoot: 'desk.a' });
    expect(tickSubject(s, 12)).toBe('desk.a.tick.12');
    expect(serviceSubject(s, 'state', 12)).toBe('desk.a.state.12');
    expect(serviceSubject(s, 'history', 12)).toBe('desk.a.history.12');
    expect(instrumentOfSubject(s, 'desk.a.tick.12')).toBe(12);
    expect(instrumentOfSubject(s, 'desk.a.tick.x')).toBeUndefined();
    expect(instrumentOfSubject(s, 'desk.a.state.12')).toBeUndefined();
  });
});

describe('natsUrl', () => {
  it('takes nats:// and tls:// URLs and a bare host:port', () => {
    expect(natsUrl.parse('nats://10.0.0.5:4222', '--nats')).toBe('nats://10.0.0.5:4222');
    expect(natsUrl.parse(' localhost:4222 ', '--nats')).toBe('nats://localhost:4222');
    expect(natsUrl.parse('tls://nats.example.com:4443', '--nats')).toBe('tls://nats.example.com:4443');
  });
  it('refuses what is not a NATS server URL', () => {
    for (const bad of ['http://x:4222', 'nats://', 'nats://host:4222/path', 'ws://h:1']) {
      expect(() => natsUrl.parse(bad, 'NATS_URL')).toThrow(/NATS_URL must be a NATS server URL such as nats:\/\/127\.0\.0\.1:4222/);
    }
  });
});

describe('tick messages', () => {
  const ticks: Tick[] = [
    {
      kind: 'trade',
      instrumentId: 3,
      seq: 9,
      eventTimeUs: 1,
      receiveTimeUs: 2,
      price: 2 ** 53 - 1,
      size: 7,
      side: Side.Sell,
      tradeId: 'x-1',
    },
    { kind: 'quote', instrumentId: 3, seq: 10, eventTimeUs: 3, receiveTimeUs: 4, bid: -5, bidSize: 1, ask: 6, askSize: 2 },
  ];
  it('round-trip exactly with the epoch header', () => {
    expect(decodeTicks(encodeTicks(ticks), tickHeaders(77))).toEqual({ epoch: 77, ticks });
    expect(messageId(77, 3, 9, 'host:1:ab')).toBe('77.3.9.host:1:ab');
  });
  it('are not mistaken for something else', () => {
    expect(decodeTicks(encodeTicks(ticks), undefined)).toBeUndefined();
    expect(decodeTicks(new TextEncoder().encode('[]'), tickHeaders(1))).toBeUndefined();
    expect(decodeTicks(new TextEncoder().encode('{'), tickHeaders(1))).toBeUndefined();
  });
});
