import { describe, expect, it } from 'vitest';
import { checkFeedOrigin, describeConnectFailure, type FetchLike } from '../../../lib/embed/feed-diagnosis';

function answering(status: number, body: unknown, seen: string[] = []): FetchLike {
  return async (url) => {
    seen.push(url);
    return { ok: status >= 200 && status < 300, status, json: async () => body };
  };
}

describe('checkFeedOrigin', () => {
  it("asks the feed's HTTP side, naming the page origin", async () => {
    const seen: string[] = [];
    const answer = { origin: 'https://blog.example', originAllowed: false, reason: 'not listed' };
    await expect(checkFeedOrigin('wss://feed.example:9000', 'https://blog.example', answering(200, answer, seen))).resolves.toEqual({
      reachable: true,
      answer,
    });
    expect(seen).toEqual(['https://feed.example:9000/embed/check?origin=https%3A%2F%2Fblog.example']);
  });

  it('reads a network failure as unreachable', async () => {
    const failing: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(checkFeedOrigin('ws://127.0.0.1:1', undefined, failing)).resolves.toEqual({ reachable: false, detail: 'fetch failed' });
  });

  it('reads a service without the check (404) or a strange answer as reachable with no answer', async () => {
    await expect(checkFeedOrigin('ws://f:1', undefined, answering(404, {}))).resolves.toEqual({ reachable: true, answer: undefined });
    await expect(checkFeedOrigin('ws://f:1', undefined, answering(200, { nope: 1 }))).resolves.toEqual({
      reachable: true,
      answer: undefined,
    });
  });
});

describe('describeConnectFailure', () => {
  it('says the site is not allowed, and how the operator allows it', () => {
    const problem = describeConnectFailure(
      'ws://feed:8080',
      { reachable: true, answer: { origin: 'https://blog.example', originAllowed: false, reason: '' } },
      'https://blog.example',
    );
    expect(problem).toEqual({
      kind: 'origin-refused',
      message: 'This site (https://blog.example) is not allowed to use the Tickwire feed at ws://feed:8080.',
      hint: "Ask the feed's operator to allow it: npm run feed -- --allow-origin https://blog.example",
    });
  });

  it('says the feed cannot be reached', () => {
    expect(describeConnectFailure('ws://feed:8080', { reachable: false, detail: 'x' }, undefined)).toMatchObject({
      kind: 'feed-unreachable',
      message: 'Cannot reach the Tickwire feed at ws://feed:8080.',
    });
  });

  it('says the feed answers HTTP but refused the socket when the origin is allowed', () => {
    const problem = describeConnectFailure(
      'ws://feed:8080',
      { reachable: true, answer: { origin: null, originAllowed: true, reason: '' } },
      undefined,
    );
    expect(problem.message).toBe('The Tickwire feed at ws://feed:8080 did not accept the connection.');
  });
});
