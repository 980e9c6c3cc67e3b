/**
 * The close-reason limit lives in lib/net/close-reason.ts (the client closes with reasons too).
 * Re-exported here for the gateway's modules until they import it from lib/ themselves.
 */
export { fitCloseReason, MAX_CLOSE_REASON_BYTES } from '../../lib/net/close-reason';
