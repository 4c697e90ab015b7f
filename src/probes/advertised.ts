import { isIPv4 } from 'node:net';
import type { FollowUp } from './types.ts';

/**
 * The web interface a Dahua discovery reply (DHIP, legacy 5050) advertises: its HttpPort on the
 * IPv4 address it advertises, else on the address that replied. A follow-up only: the engine
 * passes it through the scope guard before anything is fetched.
 */
export function webFollowUps(
  device: { httpPort?: number | undefined; ipv4Address?: string | undefined },
  replyFrom: string,
): FollowUp[] {
  if (device.httpPort === undefined) return [];
  const host = device.ipv4Address ?? (isIPv4(replyFrom) ? replyFrom : undefined);
  return host ? [{ probe: 'http', url: `http://${host}:${device.httpPort}/` }] : [];
}

/**
 * Advertised URLs worth following with `probe`: http(s) only, each once, at most `max` (a device
 * must not make the sweep fetch without end). The engine checks each against the scope guard.
 */
export function urlFollowUps(
  probe: string,
  urls: readonly (string | undefined)[],
  max = Number.POSITIVE_INFINITY,
): FollowUp[] {
  const seen = new Set<string>();
  const out: FollowUp[] = [];
  for (const url of urls) {
    if (!url || !/^https?:\/\//i.test(url) || seen.has(url) || out.length >= max) continue;
    seen.add(url);
    out.push({ probe, url });
  }
  return out;
}
