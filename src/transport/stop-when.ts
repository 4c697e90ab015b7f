/**
 * When a TCP read is over. The transport knows no protocol: it asks a stop rule, which looks at
 * the bytes so far. The two neutral rules live here (first data, peer close); a protocol brings
 * its own framing (probes/http/framing.ts for HTTP and RTSP).
 */

/** Bytes kept when a neutral rule is not told otherwise. */
export const DEFAULT_MAX_BYTES = 64 * 1024;

/** How one read decides it is over. One per exchange: a rule may keep state between chunks. */
export interface StopWhen {
  /** The most bytes worth keeping now. It may shrink as the rule learns (an HTTP head's length). */
  cap(): number;
  /**
   * Sees all bytes kept so far, after each chunk. The reader cuts what lies beyond cap()
   * afterwards, so a rule judging completeness must look at the first cap() bytes only.
   */
  check(kept: Buffer): 'complete' | 'more';
  /** The peer closed after sending something: 'complete' when that is how this answer ends. */
  onClose(): 'complete' | 'peer-closed';
}

/** Makes the StopWhen of one exchange, from the request about to be sent (a HEAD has no body). */
export type StopRule = (request: Buffer) => StopWhen;

/** The first bytes that arrive are the answer (a greeting); at most `maxBytes` of them. */
export function firstData(maxBytes?: number): StopRule {
  const cap = byteBudget(maxBytes, DEFAULT_MAX_BYTES);
  return () => ({ cap: () => cap, check: () => 'complete', onClose: () => 'peer-closed' });
}

/** Everything until the peer closes (or goes idle, or the cap): a banner or a binary reply. */
export function peerClosed(maxBytes?: number): StopRule {
  const cap = byteBudget(maxBytes, DEFAULT_MAX_BYTES);
  return () => ({ cap: () => cap, check: () => 'more', onClose: () => 'complete' });
}

/** A caller's byte count, or the fallback when it is missing, negative or not finite. */
export function byteBudget(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value) || value < 0) return fallback;
  return Math.floor(value);
}
