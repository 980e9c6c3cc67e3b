/** Starts a real feed service on a free loopback port for a test. */
import { startFeedService, type FeedService, type FeedServiceOptions } from '../../server/feed-service';
import { silentLogger } from '../../server/log';

export function startTestFeed(options: Partial<FeedServiceOptions> = {}): Promise<FeedService> {
  return startFeedService({
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger,
    ...options,
    simulated: { seed: 7, instruments: 10, ratePerInstrument: 50, ...options.simulated },
  });
}
