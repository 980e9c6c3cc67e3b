import { describe, expect, it } from 'vitest';
import { closePolicy, describeClose } from '../../../lib/client/close-policy';

describe('closePolicy', () => {
  it('does not reconnect after a deliberate 1000', () => {
    expect(closePolicy(1000)).toMatchObject({ reconnect: false, kind: 'normal' });
  });

  it('treats 1008 (policy violation) as terminal', () => {
    expect(closePolicy(1008)).toMatchObject({ reconnect: false, kind: 'policy' });
  });

  it.each([1001, 1005, 1006, 1011, 1012, 1013])('reconnects after transient close %i', (code) => {
    expect(closePolicy(code)).toMatchObject({ reconnect: true, kind: 'transient' });
  });

  it.each([1002, 1003, 1007, 1009])('reconnects after %i but reports it as a protocol error', (code) => {
    expect(closePolicy(code)).toMatchObject({ reconnect: true, kind: 'protocol' });
  });

  it.each([1014, 3000, 4000, 4999])('reconnects after unknown code %i', (code) => {
    expect(closePolicy(code).reconnect).toBe(true);
  });
});

describe('describeClose', () => {
  it('names the code, its meaning and the server reason', () => {
    expect(describeClose(1013, 'slow consumer')).toBe('closed 1013 (server overloaded, try again later): slow consumer');
    expect(describeClose(1006, '')).toBe('closed 1006 (connection lost)');
  });
});
