import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { CamsweepError } from './errors.ts';

/** IP maths shared by every layer: literals to integers and back, canonical spellings. */

export const V4_MAX = 0xffff_ffffn;
export const V6_MAX = (1n << 128n) - 1n;
export const MAPPED_PREFIX = 0xffffn;

/** Parses a strictly valid IP literal (no zone id). Throws BAD_TARGET otherwise. */
export function ipToBigInt(address: string): { family: 4 | 6; value: bigint } {
  const family = address.includes('%') ? 0 : isIP(address);
  if (family === 4) {
    // net.isIP has already refused inet_aton short forms and octal-looking octets.
    const bytes = ipaddr.IPv4.parse(address).octets;
    return { family: 4, value: bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n) };
  }
  if (family === 6) {
    const bytes = ipaddr.IPv6.parse(address).toByteArray();
    return { family: 6, value: bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n) };
  }
  throw new CamsweepError('BAD_TARGET', `${JSON.stringify(address)} is not an IP address`, { address });
}

export function v4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function bigIntToIp(value: bigint, family: 4 | 6): string {
  const max = family === 4 ? V4_MAX : V6_MAX;
  if (value < 0n || value > max) {
    throw new CamsweepError('INTERNAL', `value ${value} is out of range for IPv${family}`);
  }
  if (family === 4) return v4Text(Number(value));
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // RFC 5952: compress the longest run (at least two) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Reduces any spelling of an address to one family and value: brackets and zone ids go (a zone only
 * picks the interface, not the host), and IPv4-mapped IPv6 becomes the IPv4 address it dials.
 */
export function normaliseValue(input: string): { family: 4 | 6; value: bigint } | undefined {
  let s = input.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) === 0) return undefined;
  const parsed = ipToBigInt(s);
  if (parsed.family === 6 && parsed.value >> 32n === MAPPED_PREFIX) {
    return { family: 4, value: parsed.value & V4_MAX };
  }
  return parsed;
}

/** normaliseValue plus the canonical text; undefined when `input` is no IP literal. */
export function normaliseAddress(input: string): { family: 4 | 6; value: bigint; text: string } | undefined {
  const n = normaliseValue(input);
  return n && { ...n, text: bigIntToIp(n.value, n.family) };
}
