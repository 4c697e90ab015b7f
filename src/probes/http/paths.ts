/**
 * The extra paths the HTTP probe fetches after the root page, each with GET only, each in scope
 * (the host and port just dialled), none exploit-adjacent (PROTOCOLS.md §0; never /SDK/webLanguage,
 * /RPC2_Login, ?auth=…, /current_config). Each entry says why it is benign.
 */
import type { ParsedResponse } from './parse.ts';

export interface ExtraPath {
  path: string;
  /** Why a GET of this path is harmless and worth one request. */
  why: string;
  /** Fetch it only when the root answer suggests the vendor (undefined: always). */
  when?: (root: ParsedResponse) => boolean;
}

/** Hikvision web servers (PROTOCOLS.md §4.1): Server tokens, or the root page's login redirect. */
export function looksHikvision(root: ParsedResponse): boolean {
  const server = root.headerAll('server').join(' ');
  if (/^(?:App-webs|Hikvision-Webs|DNVRS-Webs|DVRDVS-Webs)\b/i.test(server)) return true;
  return root.body
    .subarray(0, 16 * 1024)
    .toString('latin1')
    .includes('doc/page/login.asp');
}

export const EXTRA_PATHS: readonly ExtraPath[] = [
  {
    path: '/favicon.ico',
    why: 'The icon every browser fetches on its own when it opens the page: a static file, no state, no login. Its MD5 and Shodan mmh3 name many camera web UIs (PROTOCOLS.md §4.4).',
  },
  {
    path: '/doc/page/login.asp',
    why: "Hikvision's old web UI login page, the page its root redirects a browser to (INGRAM rule; PROTOCOLS.md §4.1). GET only displays the form; nothing is submitted.",
    when: looksHikvision,
  },
  {
    path: '/ISAPI/System/deviceInfo',
    why: "Read-only ISAPI resource; without credentials it answers 401 with the firmware's Digest realm (IP Camera(…), DVRNVRDVS …), which is all we read. We never send credentials (PROTOCOLS.md §4.1).",
    when: looksHikvision,
  },
];

/** Paths never fetched, whatever a fingerprint or a user asks: the exploit-adjacent list of §0. */
export const FORBIDDEN_PATHS: readonly RegExp[] = [
  /^\/SDK\/webLanguage/i,
  /^\/RPC2_Login/i,
  /[?&]auth=/i,
  /^\/current_config/i,
];

/** The extra paths for this root answer, in order. */
export function extraPathsFor(root: ParsedResponse): string[] {
  return EXTRA_PATHS.filter((p) => !p.when || p.when(root))
    .map((p) => p.path)
    .filter((path) => !FORBIDDEN_PATHS.some((re) => re.test(path)));
}
