import { CamsweepError } from '../core/errors.ts';
import { normaliseAddress } from '../core/ip.ts';
import type { ScopeDecision, ScopeGuard } from '../core/scope.ts';
import type { ExclusionAware, TargetSet } from './targets.ts';

// Schemes a camera legitimately advertises: web/ONVIF (http, https), video (rtsp, rtsps) and
// WS-Discovery replies (soap.udp). Anything else (file:, ftp:, javascript:…) is never dialled.
const ALLOWED_SCHEMES = new Set(['http:', 'https:', 'rtsp:', 'rtsps:', 'soap.udp:']);

/**
 * `set` may also say which addresses are excluded (buildTargetSet's result does); then a refusal
 * tells the user it was their --exclude, not a missing target, that kept the address out.
 */
export function createScopeGuard(
  set: Pick<TargetSet, 'contains' | 'hostnames'> & Partial<ExclusionAware>,
): ScopeGuard {
  const check = (address: string): ScopeDecision => {
    const n = normaliseAddress(address);
    if (!n) return { allowed: false, reason: `${JSON.stringify(address)} is not an IP address` };
    if (set.contains(n.text)) return { allowed: true, address: n.text };
    if (set.isExcluded?.(n.text) === true) return { allowed: false, reason: `${n.text} is excluded` };
    return { allowed: false, reason: `${n.text} is not in the sweep's targets` };
  };

  const checkUrl = (url: string): ScopeDecision => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { allowed: false, reason: `${JSON.stringify(url)} is not a valid URL` };
    }
    if (!ALLOWED_SCHEMES.has(parsed.protocol)) {
      return {
        allowed: false,
        reason: `URL scheme ${JSON.stringify(parsed.protocol)} is not allowed (${url})`,
      };
    }
    const host = parsed.hostname;
    if (host.length === 0) return { allowed: false, reason: `URL ${JSON.stringify(url)} has no host` };
    if (normaliseAddress(host)) return check(host);
    // Non-special schemes (rtsp:, soap.udp:) keep the host's case, so compare lower-case. Only the
    // exact names the user typed pass: a device must not steer the sweep to a name it chose.
    const name = host.toLowerCase().replace(/\.$/, '');
    if (set.hostnames.has(name)) return { allowed: true, address: name };
    return {
      allowed: false,
      reason: `host ${JSON.stringify(name)} is not one of the host names given as targets`,
    };
  };

  return {
    check,
    checkUrl,
    assert(address: string): string {
      const decision = check(address);
      if (!decision.allowed) throw new CamsweepError('OUT_OF_SCOPE', decision.reason, { address });
      return decision.address;
    },
  };
}
