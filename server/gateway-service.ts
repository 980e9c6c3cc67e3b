/**
 * The gateway role of a scaled deployment (docs/scaling.md): WebSocket clients, history and the
 * front door of the all-in-one feed service, fed from NATS JetStream instead of local adapters. It
 * receives only the instruments its clients hold, warming each from the active ingest first.
 */
import type { Server } from 'node:http';
import type { NatsSettings } from './bus/nats/config';
import { NatsUpstream, type UpstreamHealth } from './bus/nats/upstream';
import { DEFAULT_EMBED_BUNDLE_PATH, checkAddress, closeFrontDoor, openFrontDoor } from './front-door';
import { Gateway } from './gateway/gateway';
import type { GatewayOptions } from './gateway/options';
import { History, type HistoryConfig } from './history/history';
import type { Logger } from './log';
import { DEFAULT_FEED_HOST, DEFAULT_FEED_PORT } from '../lib/net/feed-address';

export interface GatewayServiceOptions {
  readonly nats: NatsSettings;
  /** @defaultValue 8080 */
  readonly port?: number;
  /** @defaultValue "127.0.0.1" */
  readonly host?: string;
  readonly gateway?: Partial<GatewayOptions>;
  readonly history?: Partial<HistoryConfig>;
  /** How long an instrument no client holds keeps being received, ms. */
  readonly lingerMs?: number;
  /** Upstream lag past which an instrument is re-warmed and its clients resume, ms. */
  readonly maxUpstreamLagMs?: number;
  readonly embedBundlePath?: string;
  readonly logger: Logger;
}

export interface GatewayHealth {
  readonly status: 'ok' | 'degraded';
  readonly role: 'gateway';
  readonly uptimeSec: number;
  readonly epoch: number;
  readonly upstream: UpstreamHealth;
  readonly adapters: readonly { venue: string; state: string; reason: string }[];
  readonly instruments: number;
  readonly clients: number;
  readonly conflatingClients: number;
  readonly history: ReturnType<History['stats']>;
  readonly gateway: ReturnType<Gateway['stats']>;
}

export interface GatewayService {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly gateway: Gateway;
  readonly upstream: NatsUpstream;
  health(): GatewayHealth;
  close(): Promise<void>;
}

/**
 * Connects to NATS and opens the port.
 * @throws NatsSetupError when NATS is unreachable or the deployment has no ingest yet; TypeError for a bad address.
 */
export async function startGatewayService(o: GatewayServiceOptions): Promise<GatewayService> {
  const host = o.host ?? DEFAULT_FEED_HOST;
  const port = o.port ?? DEFAULT_FEED_PORT;
  checkAddress(port, host);
  const startedAt = Date.now();
  const logger = o.logger;
  const history = new History(o.history);
  const upstream = await NatsUpstream.connect({
    settings: o.nats,
    history,
    logger: logger.child({ component: 'upstream' }),
    lingerMs: o.lingerMs,
    maxLagMs: o.maxUpstreamLagMs,
  });
  const gateway = new Gateway(
    { bus: upstream, history, upstream, historyPages: upstream.historyPages(), logger: logger.child({ component: 'gateway' }) },
    o.gateway,
  );
  const health = (): GatewayHealth => {
    const up = upstream.health();
    const venues = upstream.status();
    const gw = gateway.stats();
    return {
      status: up.state === 'connected' && venues.every((v) => v.state === 'live') ? 'ok' : 'degraded',
      role: 'gateway',
      uptimeSec: Math.round((Date.now() - startedAt) / 1000),
      epoch: upstream.epoch,
      upstream: up,
      adapters: venues.map((v) => ({ venue: v.venue, state: v.state, reason: v.reason })),
      instruments: upstream.instruments().length,
      clients: gw.clients,
      conflatingClients: gw.conflating,
      history: history.stats(),
      gateway: gw,
    };
  };
  let front;
  try {
    front = await openFrontDoor({ gateway, host, port, embedBundlePath: o.embedBundlePath ?? DEFAULT_EMBED_BUNDLE_PATH, health });
  } catch (error) {
    await gateway.close();
    await upstream.close();
    throw error;
  }
  logger.info('feed service listening', { url: front.url, epoch: upstream.epoch, role: 'gateway', nats: o.nats.servers });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await gateway.close();
      await closeFrontDoor(front.server);
      await upstream.close();
      logger.info('feed service stopped');
    })();
    return closing;
  };
  return { url: front.url, port: front.port, server: front.server, gateway, upstream, health, close };
}
