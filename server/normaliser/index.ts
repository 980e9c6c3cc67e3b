/** The normaliser: validation, interning and sequencing of adapter output (see normaliser.ts). */
export { MAX_STATUS_REASON_LENGTH, Normaliser, NORMALISER_DEFAULTS, type NormaliserOptions, type NormaliserStats } from './normaliser';
export type { AdapterSource, SinkHandle, SinkHooks } from './sources';
export { REJECT_REASONS, type RejectReason } from './reasons';
export { InstrumentTable, type DeclareOutcome } from './instrument-table';
export { describeExample, RejectLog, type RejectSource } from './reject-log';
export * from './validate';
