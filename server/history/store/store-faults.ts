/**
 * Turns what SQLite and the file system throw into a sentence a person can act on, for /healthz
 * and the dashboard (docs/architecture.md "Where history lives"). One table, so each fault is
 * described once.
 */

/** What went wrong, by kind; the kind decides nothing but the words. */
export type StoreFaultKind = 'corrupt' | 'locked' | 'read-only' | 'full' | 'not-a-folder' | 'other';

/** A store error, classified. */
export interface StoreFault {
  readonly kind: StoreFaultKind;
  /** The error's code (`SQLITE_FULL`, `EACCES`...) or its name. */
  readonly code: string;
}

const KIND_BY_CODE: Readonly<Record<string, StoreFaultKind>> = {
  SQLITE_NOTADB: 'corrupt',
  SQLITE_CORRUPT: 'corrupt',
  SQLITE_CORRUPT_VTAB: 'corrupt',
  SQLITE_CORRUPT_SEQUENCE: 'corrupt',
  SQLITE_CORRUPT_INDEX: 'corrupt',
  SQLITE_BUSY: 'locked',
  SQLITE_BUSY_SNAPSHOT: 'locked',
  SQLITE_BUSY_RECOVERY: 'locked',
  SQLITE_LOCKED: 'locked',
  SQLITE_READONLY: 'read-only',
  SQLITE_READONLY_DIRECTORY: 'read-only',
  SQLITE_READONLY_CANTINIT: 'read-only',
  SQLITE_READONLY_CANTLOCK: 'read-only',
  SQLITE_READONLY_DBMOVED: 'read-only',
  SQLITE_READONLY_RECOVERY: 'read-only',
  SQLITE_READONLY_ROLLBACK: 'read-only',
  SQLITE_CANTOPEN: 'read-only',
  SQLITE_IOERR_WRITE: 'read-only',
  SQLITE_PERM: 'read-only',
  SQLITE_AUTH: 'read-only',
  EACCES: 'read-only',
  EPERM: 'read-only',
  EROFS: 'read-only',
  SQLITE_FULL: 'full',
  ENOSPC: 'full',
  EDQUOT: 'full',
  ENOTDIR: 'not-a-folder',
  EEXIST: 'not-a-folder',
};

/** Classifies an error thrown by better-sqlite3 or node:fs. */
export function classifyStoreError(error: unknown): StoreFault {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const direct = KIND_BY_CODE[code];
  if (direct !== undefined) return { kind: direct, code };
  // Extended result codes (SQLITE_IOERR_FULL...) fall back to their primary code's kind.
  const primary = code.split('_').slice(0, 2).join('_');
  return { kind: KIND_BY_CODE[primary] ?? (code.startsWith('SQLITE_IOERR') ? 'read-only' : 'other'), code: code || 'error' };
}

/**
 * The reason /healthz shows for a fault at `path` (the database file), with what the store does
 * about it: the feed goes on, new bars wait in memory (`queued` of them) and are retried.
 */
export function describeStoreFault(error: unknown, path: string, queued: number): string {
  const { kind, code } = classifyStoreError(error);
  const message = error instanceof Error ? error.message : String(error);
  const held = `live data goes on; ${queued} new bar${queued === 1 ? '' : 's'} held in memory and retried`;
  switch (kind) {
    case 'corrupt':
      return `${path} is not a readable SQLite database (corrupt or another kind of file: ${message}); it is left untouched, history is kept in memory only; move the file aside to start a new store`;
    case 'locked':
      return `${path} is locked by another process (is a second feed running with the same --data-dir?); ${held}`;
    case 'read-only':
      return `cannot write ${path}: the data folder or file is read-only or not permitted (${code}: ${message}); ${held}`;
    case 'full':
      return `the disk holding ${path} is full (${code}); ${held}; free space and it catches up`;
    case 'not-a-folder':
      return `the data folder for ${path} is not a folder (${code}: ${message}); pass --data-dir a folder; ${held}`;
    default:
      return `history store error at ${path} (${code}: ${message}); ${held}`;
  }
}
