/**
 * The feed service's own lifecycle over real sockets: failed starts, stop while clients are
 * connecting or subscribing, and stopping twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedService } from '../../server/feed-service';
import { startTestFeed } from '../support/feed';

const services: FeedService[] = [];

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

/** Active timers of this process (setTimeout / setInterval handles). */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('startFeedService', () => {
  it('leaves no timer running when the port is already in use', async () => {
    const first = await startTestFeed();
    services.push(first);
    const before = activeTimers();
    const error = await startTestFeed({ port: first.port }).catch((e: NodeJS.ErrnoException) => e);
    expect(error).toMatchObject({ code: 'EADDRINUSE' });
    // Timers a failed start left behind would keep a process that handled the error alive forever.
    expect(activeTimers()).toBe(before);
  });
});
