import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closeSocketQuietly, messageData, type WebSocketFactory } from '../../../lib/client/transport';
import { FakeSocket } from './fake-socket';

// Compile-time checks: both real WebSocket implementations fit the factory type without casts.
export const browserFactory: WebSocketFactory = (url, protocols) => new globalThis.WebSocket(url, protocols);
export const wsFactory: WebSocketFactory = (url, protocols) => new WebSocket(url, protocols);

describe('messageData', () => {
  it('turns an ArrayBuffer into a byte view', () => {
    const bytes = messageData(new Uint8Array([1, 2, 3]).buffer);
    expect(bytes).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('keeps a view on the same bytes of a typed array slice (Node Buffer)', () => {
    const buffer = Buffer.from([9, 1, 2, 9]).subarray(1, 3);
    expect(messageData(buffer)).toEqual(new Uint8Array([1, 2]));
  });

  it('passes text through and refuses anything else', () => {
    expect(messageData('{"type":"heartbeat"}')).toBe('{"type":"heartbeat"}');
    expect(messageData({ size: 3 })).toBeUndefined();
    expect(messageData(undefined)).toBeUndefined();
  });
});

describe('closeSocketQuietly', () => {
  it('terminates a silent socket where terminate exists', () => {
    const socket = new FakeSocket('ws://x', ['tickwire.v2']);
    closeSocketQuietly(socket, 4000, 'heartbeat timeout', false);
    expect(socket.terminated).toBe(true);
  });

  it('falls back to a plain close when the code is refused (browsers allow 1000 and 3000-4999 only)', () => {
    const calls: unknown[][] = [];
    const socket = new FakeSocket('ws://x', ['tickwire.v2']);
    socket.close = (...args: unknown[]) => {
      calls.push(args);
      if (args.length > 0) throw new DOMException('invalid code', 'InvalidAccessError');
    };
    expect(() => closeSocketQuietly(socket, 1007, 'bad payload', true)).not.toThrow();
    expect(calls).toEqual([[1007, 'bad payload'], []]);
  });

  it('cuts a non-ASCII reason to the 123 bytes a close frame holds, so the close is not refused', () => {
    const calls: unknown[][] = [];
    const socket = new FakeSocket('ws://x', ['tickwire.v1']);
    socket.close = (...args: unknown[]) => {
      calls.push(args);
    };
    closeSocketQuietly(socket, 4000, `bad symbol ${'€'.repeat(60)}`, true);
    const reason = calls[0]?.[1] as string;
    expect(Buffer.byteLength(reason, 'utf8')).toBeLessThanOrEqual(123);
    expect(reason.startsWith('bad symbol €')).toBe(true);
  });
});
