import { createHash, randomBytes } from 'node:crypto';

/**
 * HTTP Digest (RFC 7616, compatible with RFC 2617) for the one retry the ONVIF probe makes when a
 * device refuses a credentialed call at the HTTP layer (Hikvision, Dahua). Only what such devices
 * offer: MD5 or SHA-256, qop "auth" or no qop at all; never the -sess variants, auth-int or userhash.
 */

export type DigestAlgorithm = 'MD5' | 'SHA-256';

export interface DigestChallenge {
  algorithm: DigestAlgorithm;
  realm: string;
  nonce: string;
  /** Echoed back unchanged when the device sent one (Dahua sends an empty one). */
  opaque?: string;
  /** 'auth' when the device offers it; undefined for an RFC 2069 challenge without qop. */
  qop?: 'auth';
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

/** Longer challenges are not a camera's; bounding them bounds the parse. */
const MAX_CHALLENGE_CHARS = 4096;
const HASH: Record<DigestAlgorithm, string> = { MD5: 'md5', 'SHA-256': 'sha256' };

/** `name=value` and `name="quoted \" value"` pairs of an auth header, names lower-cased. */
export function authParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const pair = /([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\[\s\S])*)"|([^\s,"]*))/g;
  for (const m of text.slice(0, MAX_CHALLENGE_CHARS).matchAll(pair)) {
    const name = (m[1] ?? '').toLowerCase();
    if (!out.has(name)) out.set(name, m[2] !== undefined ? m[2].replace(/\\([\s\S])/g, '$1') : (m[3] ?? ''));
  }
  return out;
}

/** One challenge's raw text (`Digest realm="…", nonce="…"`) → what we can answer, or undefined. */
export function digestChallenge(raw: string): DigestChallenge | undefined {
  const m = /^\s*Digest\s+([\s\S]*)$/i.exec(raw);
  if (!m) return undefined;
  const p = authParams(m[1] ?? '');
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const offered = (p.get('algorithm') ?? 'MD5').toUpperCase();
  const algorithm = offered === 'MD5' || offered === 'SHA-256' ? offered : undefined;
  const qops = p
    .get('qop')
    ?.split(',')
    .map((q) => q.trim().toLowerCase());
  // A qop list without "auth" (auth-int only) asks for something we do not do.
  if (realm === undefined || !nonce || !algorithm || (qops && !qops.includes('auth'))) return undefined;
  const opaque = p.get('opaque');
  return {
    algorithm,
    realm,
    nonce,
    ...(opaque !== undefined ? { opaque } : {}),
    ...(qops ? { qop: 'auth' as const } : {}),
  };
}

/**
 * RFC 7616 §3.4.1: response = H(H(user:realm:password) : nonce [: nc : cnonce : qop] : H(method:uri)).
 * Strings are hashed as UTF-8 (the charset RFC 7616 lets a server declare; cameras send ASCII).
 */
export function digestResponse(d: DigestInput): string {
  const h = (s: string) => createHash(HASH[d.algorithm]).update(s, 'utf8').digest('hex');
  const ha1 = h(`${d.username}:${d.realm}:${d.password}`);
  const ha2 = h(`${d.method}:${d.uri}`);
  const middle = d.qop ? `${d.nonce}:${d.nc ?? ''}:${d.cnonce ?? ''}:${d.qop}` : d.nonce;
  return h(`${ha1}:${middle}:${ha2}`);
}

const quoted = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/**
 * The `Authorization` header value answering `challenge` for one request, with a fresh random
 * cnonce and nc 00000001 (one request per nonce). Undefined when a value holds a control
 * character: a user name with a line break must not become a header of its own.
 */
export function digestAuthorization(
  challenge: DigestChallenge,
  credentials: { username: string; password: string },
  method: string,
  uri: string,
): string | undefined {
  const { username, password } = credentials;
  const echoed = [username, uri, challenge.realm, challenge.nonce, challenge.opaque ?? ''];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (echoed.some((v) => /[\u0000-\u001f\u007f]/.test(v))) return undefined;
  const nc = '00000001';
  const cnonce = randomBytes(16).toString('hex');
  const response = digestResponse({ ...challenge, username, password, method, uri, nc, cnonce });
  const parts = [
    `username=${quoted(username)}`,
    `realm=${quoted(challenge.realm)}`,
    `nonce=${quoted(challenge.nonce)}`,
    `uri=${quoted(uri)}`,
    `algorithm=${challenge.algorithm}`,
    ...(challenge.qop ? [`qop=${challenge.qop}`, `nc=${nc}`, `cnonce=${quoted(cnonce)}`] : []),
    `response=${quoted(response)}`,
    ...(challenge.opaque !== undefined ? [`opaque=${quoted(challenge.opaque)}`] : []),
  ];
  return `Digest ${parts.join(', ')}`;
}
