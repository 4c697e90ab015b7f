/**
 * Pure parser of raw HTTP/RTSP response bytes, as returned by transport/tcp.ts.
 *
 * Deliberately lenient (DEPENDENCIES.md, "HTTP: malformed responses"): every strict parser
 * rejects responses that real cameras send, and a rejected response is lost evidence. It never
 * throws and its output is bounded whatever the input:
 * - the head is read from the first MAX_HEAD_BYTES only;
 * - at most MAX_HEADERS headers are kept (more is not a real device, and the cap bounds memory);
 * - the body is at most MAX_BODY_BYTES, the title at most MAX_TITLE_CHARS;
 * - at most MAX_CHALLENGES authentication challenges.
 */
import { isUtf8 } from 'node:buffer';

export const MAX_HEAD_BYTES = 64 * 1024;
export const MAX_HEADERS = 200;
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_TITLE_CHARS = 256;
export const MAX_CHALLENGES = 32;
const MAX_STATUS_LINE = 1024;

export interface ParsedHeader {
  /** As sent, trimmed of surrounding spaces; '' for a line without a colon. */
  name: string;
  /** Decoded as Latin-1 (so Buffer.from(value, 'latin1') gives the wire bytes back), trimmed. */
  value: string;
}

export interface Challenge {
  scheme: string;
  realm?: string;
  raw: string;
}

export interface ParsedResponse {
  kind: 'http' | 'rtsp';
  version: string;
  status: number;
  reason: string;
  statusLine: string;
  /** Wire order, duplicates kept; lines without a colon kept as { name: '', value: line }. */
  headers: ParsedHeader[];
  /** True when the blank line ending the head was seen. */
  headersComplete: boolean;
  /** De-chunked when chunked and valid, cut to a single valid Content-Length, else raw. */
  body: Buffer;
  title?: string;
  /** From every WWW-Authenticate header, in wire order. */
  challenges: Challenge[];
  /** First header of that name, case-insensitive. */
  header(name: string): string | undefined;
  headerAll(name: string): string[];
}

export type ParseResult =
  | { ok: true; response: ParsedResponse }
  | { ok: false; reason: 'empty' | 'not-http' };

/** Status line of an HTTP or RTSP response; probes/http/framing.ts reads the same one. */
export const STATUS_LINE = /^(HTTP|RTSP)\/(\d{1,3}(?:\.\d{1,3})?)[ \t]+(\d{3})(?![0-9])[ \t]*(.*)$/i;
const CR = 0x0d;
const LF = 0x0a;

export function parseResponse(bytes: Buffer): ParseResult {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  try {
    return parse(bytes);
  } catch {
    // Nothing below is expected to throw; this keeps the "never throws" contract absolute.
    return { ok: false, reason: 'not-http' };
  }
}

function parse(bytes: Buffer): ParseResult {
  // Stray line ends before the status line (left over from a previous response) are skipped.
  let start = 0;
  while (start < bytes.length && (bytes[start] === CR || bytes[start] === LF)) start++;
  // Latin-1 maps each byte to one char, so string offsets are byte offsets.
  const text = bytes.toString('latin1', start, Math.min(bytes.length, start + MAX_HEAD_BYTES));

  const firstLf = text.indexOf('\n');
  const statusLine = (firstLf < 0 ? text : text.slice(0, firstLf))
    .replace(/\r$/, '')
    .slice(0, MAX_STATUS_LINE);
  const status = STATUS_LINE.exec(statusLine);
  // Binary garbage, an HTTP/0.9 body-only reply, or a protocol we do not know.
  if (!status) return { ok: false, reason: 'not-http' };

  let headerBlock = '';
  let headersComplete = false;
  let bodyStart = bytes.length;
  if (firstLf >= 0) {
    const blank = /\n\r?\n/g;
    blank.lastIndex = firstLf;
    const end = blank.exec(text);
    if (end) {
      headersComplete = true;
      headerBlock = text.slice(firstLf + 1, end.index);
      bodyStart = start + end.index + end[0].length;
    } else {
      headerBlock = text.slice(firstLf + 1);
    }
  }

  const headers = parseHeaders(headerBlock);
  const header = (name: string): string | undefined => {
    const wanted = name.toLowerCase();
    return headers.find((h) => h.name.toLowerCase() === wanted)?.value;
  };
  const headerAll = (name: string): string[] => {
    const wanted = name.toLowerCase();
    return headers.filter((h) => h.name.toLowerCase() === wanted).map((h) => h.value);
  };

  const body = headersComplete ? decodeBody(bytes.subarray(bodyStart), headerAll) : Buffer.alloc(0);
  const challenges: Challenge[] = [];
  for (const value of headerAll('www-authenticate')) {
    for (const challenge of splitChallenges(value)) {
      if (challenges.length >= MAX_CHALLENGES) break;
      challenges.push(challenge);
    }
  }

  const response: ParsedResponse = {
    kind: (status[1] ?? '').toUpperCase() === 'RTSP' ? 'rtsp' : 'http',
    version: status[2] ?? '',
    status: Number(status[3]),
    reason: (status[4] ?? '').trim(),
    statusLine,
    headers,
    headersComplete,
    body,
    challenges,
    header,
    headerAll,
  };
  const title = extractTitle(body, header('content-type'));
  if (title !== undefined) response.title = title;
  return { ok: true, response };
}

function parseHeaders(block: string): ParsedHeader[] {
  const headers: ParsedHeader[] = [];
  if (block.length === 0) return headers;
  for (const rawLine of block.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim().length === 0) continue;
    const previous = headers[headers.length - 1];
    if ((line[0] === ' ' || line[0] === '\t') && previous) {
      // obs-fold (RFC 9112 §5.2): a continuation of the previous value, joined with one space.
      previous.value = `${previous.value} ${line.trim()}`.trim();
      continue;
    }
    if (headers.length >= MAX_HEADERS) break;
    const colon = line.indexOf(':');
    if (colon < 0) headers.push({ name: '', value: line.trim() });
    // `Server : thttpd` and `Server Name: x` keep their name, trimmed of surrounding spaces.
    else headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return headers;
}

function decodeBody(rest: Buffer, headerAll: (name: string) => string[]): Buffer {
  const te = headerAll('transfer-encoding').join(',');
  // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3), as in te_and_cl.
  if (/(?:^|,)\s*chunked\s*$/i.test(te)) {
    const decoded = dechunk(rest);
    if (decoded) return decoded;
    return copyCapped(rest);
  }
  const lengths = new Set<string>();
  for (const value of headerAll('content-length'))
    for (const part of value.split(',')) lengths.add(part.trim());
  if (lengths.size === 1) {
    const [only = ''] = lengths;
    if (/^\d{1,15}$/.test(only)) return copyCapped(rest.subarray(0, Number(only)));
  }
  // No length, or conflicting lengths: keep every byte that came, we do not guess.
  return copyCapped(rest);
}

function copyCapped(bytes: Buffer): Buffer {
  return Buffer.from(bytes.subarray(0, MAX_BODY_BYTES));
}

/**
 * Chunked decoding that gives up (undefined, so the caller keeps the raw bytes) on a malformed
 * chunk-size line or a chunk not followed by a line end. A response cut off inside a chunk is
 * still valid as far as it goes, and what arrived is returned.
 */
function dechunk(raw: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let total = 0;
  let pos = 0;
  while (pos < raw.length && total < MAX_BODY_BYTES) {
    const lf = raw.indexOf(LF, pos);
    if (lf < 0) break; // size line cut off
    const token = (raw.toString('latin1', pos, Math.min(lf, pos + 256)).split(';', 1)[0] ?? '').trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(token)) return undefined;
    const size = Number.parseInt(token, 16);
    if (size === 0) break;
    const dataStart = lf + 1;
    const data = raw.subarray(dataStart, Math.min(raw.length, dataStart + size));
    const room = MAX_BODY_BYTES - total;
    parts.push(data.subarray(0, room));
    total += Math.min(data.length, room);
    const dataEnd = dataStart + size;
    if (dataEnd >= raw.length) break; // body cut off inside or right after this chunk
    if (raw[dataEnd] === LF) pos = dataEnd + 1;
    else if (raw[dataEnd] === CR && (dataEnd + 1 >= raw.length || raw[dataEnd + 1] === LF)) pos = dataEnd + 2;
    else return undefined;
  }
  return Buffer.concat(parts, total);
}

// --- title -------------------------------------------------------------------------------------

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function extractTitle(body: Buffer, contentType: string | undefined): string | undefined {
  if (body.length === 0) return undefined;
  const text = body.toString('latin1');
  const open = /<title\b[^>]*>/i.exec(text);
  if (!open) return undefined;
  const from = open.index + open[0].length;
  const close = /<\/title\s*>/i.exec(text.slice(from));
  let to: number;
  if (close) to = from + close.index;
  else {
    // Unclosed title (truncated page): up to the next tag or the end.
    const nextTag = text.indexOf('<', from);
    to = nextTag < 0 ? text.length : nextTag;
  }
  // Enough bytes for MAX_TITLE_CHARS even as 4-byte UTF-8 or entities, no more.
  const raw = body.subarray(from, Math.min(to, from + MAX_TITLE_CHARS * 16));
  const decoded = decodeEntities(decodeText(raw, charsetOf(body, text, contentType)));
  const collapsed = decoded.replace(/\s+/g, ' ').trim();
  return Array.from(collapsed).slice(0, MAX_TITLE_CHARS).join('');
}

/** Charset precedence as in browsers: BOM, then Content-Type, then <meta>; undefined to sniff. */
function charsetOf(body: Buffer, text: string, contentType: string | undefined): string | undefined {
  if (body.subarray(0, 3).equals(UTF8_BOM)) return 'utf-8';
  const fromHeader = contentType ? /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1] : undefined;
  if (fromHeader) return fromHeader;
  return /<meta\b[^>]*?charset\s*=\s*["']?([\w.:-]+)/i.exec(text.slice(0, 4096))?.[1];
}

function decodeText(bytes: Buffer, charset: string | undefined): string {
  if (charset) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // Unknown label (RangeError): fall through to sniffing.
    }
  }
  // Undeclared: UTF-8 when the bytes are valid UTF-8, else Latin-1, which keeps every byte
  // recoverable (Buffer.from(title, 'latin1')) for a GBK page that declares nothing.
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1');
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6});/g, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
    const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
    const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    return valid ? String.fromCodePoint(code) : whole;
  });
}

// --- WWW-Authenticate ------------------------------------------------------------------------

interface Element {
  text: string;
  start: number;
  end: number;
}

/**
 * One header may hold several challenges: `Digest realm="a", nonce="b", Basic realm="c"`. We
 * split on commas outside quoted strings, then start a new challenge at every element that
 * begins with a token not followed by `=` (a scheme); other elements are parameters of the
 * current challenge (RFC 9110 §11.6.1).
 */
export function splitChallenges(value: string): Challenge[] {
  const groups: Element[][] = [];
  for (const element of splitOutsideQuotes(value)) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(\s*)(=?)/.exec(element.text);
    const isParam = !m || m[3] === '=';
    const current = groups[groups.length - 1];
    if (isParam && current) current.push(element);
    else groups.push([element]);
    if (groups.length > MAX_CHALLENGES) break;
  }
  const challenges: Challenge[] = [];
  for (const group of groups.slice(0, MAX_CHALLENGES)) {
    const first = group[0];
    const last = group[group.length - 1];
    if (!first || !last) continue;
    const head = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+([\s\S]*))?$/.exec(first.text);
    // A header that starts with a parameter has no scheme; keep it with scheme ''.
    const headIsScheme = head !== null && !/^\s*=/.test(first.text.slice(head[1]?.length ?? 0));
    const scheme = headIsScheme ? (head?.[1] ?? '') : '';
    const params = group.map((e) => e.text);
    if (headIsScheme) params[0] = head?.[2] ?? '';
    const challenge: Challenge = { scheme, raw: value.slice(first.start, last.end).trim() };
    const realm = paramValue(params, 'realm');
    if (realm !== undefined) challenge.realm = realm;
    challenges.push(challenge);
  }
  return challenges;
}

function splitOutsideQuotes(value: string): Element[] {
  const elements: Element[] = [];
  let inQuote = false;
  let escaped = false;
  let segmentStart = 0;
  const push = (end: number): void => {
    const text = value.slice(segmentStart, end).trim();
    if (text.length > 0) elements.push({ text, start: segmentStart, end });
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (inQuote) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === ',') {
      push(i);
      segmentStart = i + 1;
    }
  }
  push(value.length);
  return elements;
}

function paramValue(params: string[], name: string): string | undefined {
  for (const param of params) {
    const m = /^([^=\s]+)\s*=\s*([\s\S]*)$/.exec(param.trim());
    if (!m || (m[1] ?? '').toLowerCase() !== name) continue;
    return unquote(m[2] ?? '');
  }
  return undefined;
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value.trim();
  let out = '';
  for (let i = 1; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) out += value[++i];
    else if (c === '"') return out;
    else out += c;
  }
  // Unterminated quote: what is there.
  return out;
}
