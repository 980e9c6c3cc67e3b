/**
 * What an embedded chart says instead of showing a blank box: a problem a person can read, with
 * what to do about it. docs/embedding.md lists every kind with its wording.
 */

/** Kinds of problem an embed reports. */
export type EmbedProblemKind =
  /** An option (attribute, prop, query parameter) cannot work, e.g. interval "2m". */
  | 'bad-option'
  /** The feed does not list the instrument. */
  | 'unknown-symbol'
  /** A bare symbol is listed by several venues. */
  | 'ambiguous-symbol'
  /** The feed service cannot be reached (down, wrong address, blocked). */
  | 'feed-unreachable'
  /** The feed refuses this page's origin (its allowlist). */
  | 'origin-refused'
  /** The feed closed the connection for a policy reason (1008) or refused a request. */
  | 'refused'
  /** The feed speaks another protocol version. */
  | 'protocol-mismatch';

/** A problem shown in place of (or over) the chart. */
export interface EmbedProblem {
  readonly kind: EmbedProblemKind;
  /** One sentence saying what is wrong. */
  readonly message: string;
  /** What the person (or the site's operator) can do about it. */
  readonly hint: string;
}
