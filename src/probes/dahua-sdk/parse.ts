import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationFrom } from '../../core/observation.ts';
import { DVRIP_HEADER_LENGTH, DVRIP_REPLY } from './message.ts';

export type RealmParse =
  | { ok: true; realm?: string; random?: string }
  | { ok: false; reason: 'empty' | 'not-dvrip' | 'no-realm' };

const MAX_BODY = 4096;
const MAX_VALUE = 256;

/**
 * Pure: the reply to the realm request → realm and random. A DVRIP reply starts with 0xB0 and a
 * 32-byte header whose bytes 4–7 (LE) give the body length; the body is text lines
 * `Realm:Login to <token>` and `Random:<n>` ending in CRLF. The length field is trusted only
 * when it fits what arrived (a split or cut reply still yields what it holds).
 */
export function parseRealmReply(bytes: Buffer): RealmParse {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  if (bytes[0] !== DVRIP_REPLY || bytes.length < DVRIP_HEADER_LENGTH)
    return { ok: false, reason: 'not-dvrip' };
  const declared = bytes.readUInt32LE(4);
  const available = bytes.length - DVRIP_HEADER_LENGTH;
  const len = Math.min(declared > 0 && declared <= available ? declared : available, MAX_BODY);
  const body = bytes.toString('latin1', DVRIP_HEADER_LENGTH, DVRIP_HEADER_LENGTH + len);
  let realm: string | undefined;
  let random: string | undefined;
  for (const line of body.split(/\r?\n/).slice(0, 32)) {
    const m = /^(Realm|Random):(.*)$/.exec(line.replace(/\0+$/, ''));
    if (!m) continue;
    // Printable ASCII only: a realm is a name, never binary.
    const value = (m[2] ?? '')
      .replace(/[^\x20-\x7e]/g, '')
      .trim()
      .slice(0, MAX_VALUE);
    if (!value) continue;
    if (m[1] === 'Realm') realm ??= value;
    else random ??= value;
  }
  if (realm === undefined && random === undefined) return { ok: false, reason: 'no-realm' };
  return { ok: true, ...(realm ? { realm } : {}), ...(random ? { random } : {}) };
}

/** Pure: a recorded 'sdk' exchange of the realm read → the realm (random challenges are not kept). */
export function observeSdk(ex: Exchange): Observation[] {
  const parsed = parseRealmReply(responseBytes(ex));
  if (!parsed.ok || !parsed.realm) return [];
  return [observationFrom(ex, 'sdk.realm', parsed.realm)];
}
