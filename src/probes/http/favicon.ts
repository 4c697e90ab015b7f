/**
 * Favicon hashes (PROTOCOLS.md §4.4), pure:
 * - md5: hex MD5 of the raw bytes (recog favicons.xml, INGRAM rules);
 * - mmh3: Shodan's http.favicon.hash — the bytes Base64-encoded as Python's base64.encodebytes
 *   does (standard alphabet, "\n" after every 76 characters and at the end), then MurmurHash3
 *   x86 32-bit with seed 0 over that text, read as a signed 32-bit integer.
 */
import { createHash } from 'node:crypto';
import murmur from 'murmurhash3js-revisited';
import type { ParsedResponse } from './parse.ts';

/** Python's base64.encodebytes: 76-character lines, each ending in "\n" (empty input → ""). */
export function base64Lines(bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += 76) out += `${b64.slice(i, i + 76)}\n`;
  return out;
}

/** MurmurHash3 x86 32-bit, seed 0, signed (Python mmh3.hash). */
export function mmh3Signed(bytes: Buffer): number {
  return murmur.x86.hash32(bytes, 0) | 0;
}

export function faviconHashes(bytes: Buffer): { md5: string; mmh3: string } {
  return {
    md5: createHash('md5').update(bytes).digest('hex'),
    mmh3: String(mmh3Signed(Buffer.from(base64Lines(bytes), 'latin1'))),
  };
}

/** The favicon of a recorded favicon exchange: complete 200 image bytes only. */
export function faviconOf(
  request: string | undefined,
  res: ParsedResponse,
): { md5: string; mmh3: string } | undefined {
  if (!request || !/^GET \/favicon\.ico[ ?]/.test(request)) return undefined;
  if (res.status !== 200 || res.body.length === 0 || !res.headersComplete) return undefined;
  const length = res.header('content-length');
  // A body cut short (by the byte cap or the deadline) would hash to a value no list holds.
  if (length !== undefined && /^\d+$/.test(length) && Number(length) !== res.body.length) return undefined;
  // An HTML error page served with 200 is not an icon.
  if (/^\s*<(?:!doctype|html|head|body)\b/i.test(res.body.subarray(0, 64).toString('latin1')))
    return undefined;
  return faviconHashes(res.body);
}
