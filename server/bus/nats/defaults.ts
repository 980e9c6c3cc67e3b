/**
 * Defaults of the scaled deployment (docs/scaling.md), free of imports so the command-line tables
 * can show them without loading the NATS client.
 */

/** Default stream name. */
export const DEFAULT_NATS_STREAM = 'TICKWIRE_TICKS';
/** Default subject root: ticks on `<root>.tick.<id>`, state requests on `<root>.state.<id>`. */
export const DEFAULT_NATS_SUBJECT_ROOT = 'tickwire';
/** Default KV bucket. */
export const DEFAULT_NATS_BUCKET = 'tickwire';
/** Default retention of ticks in the stream: one hour, ms. */
export const DEFAULT_NATS_MAX_AGE_MS = 3_600_000;
/** Default size cap of the stream: 1 GiB (oldest messages are discarded first). */
export const DEFAULT_NATS_MAX_BYTES = 1024 ** 3;
/** Default lease duration, ms: a standby takes over about this long after the holder died. */
export const DEFAULT_LEASE_MS = 3000;
/** Default bound on ticks an ingest holds unpublished while the broker is away. */
export const DEFAULT_MAX_UNPUBLISHED = 200_000;
/** Default time a gateway keeps receiving an instrument no client holds, ms. */
export const DEFAULT_LINGER_MS = 10_000;
/** Default upstream lag past which a gateway re-warms an instrument, ms. */
export const DEFAULT_MAX_UPSTREAM_LAG_MS = 10_000;
/** Default port of the ingest's /healthz. */
export const DEFAULT_INGEST_PORT = 8090;
