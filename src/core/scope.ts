/**
 * The scope guard: the only way a probe may dial. Every connection and every address a device
 * advertises (XAddrs, LOCATION, SADP/DHIP addresses, redirects) passes through check().
 */
export type ScopeDecision = { allowed: true; address: string } | { allowed: false; reason: string };

export interface ScopeGuard {
  /** Checks a literal IPv4/IPv6 address (IPv4-mapped IPv6 and zone ids are normalised). */
  check(address: string): ScopeDecision;
  /** Checks the host of a URL. Host names in URLs are allowed only if the user gave that exact name. */
  checkUrl(url: string): ScopeDecision;
  /** Throws CamsweepError('OUT_OF_SCOPE') unless allowed; returns the normalised address. */
  assert(address: string): string;
}
