import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationFrom } from '../../core/observation.ts';
import type { SsdpField } from './fields.ts';

/** The fields this parser may produce. */
type FieldName = SsdpField;

export const MAX_SSDP_BYTES = 16 * 1024;
export const MAX_HEADERS = 64;
export const MAX_VALUE = 512;

export interface SsdpMessage {
  /** 'response' to an M-SEARCH, or a 'notify' announcement. */
  kind: 'response' | 'notify';
  status?: number;
  /** Header names lower-cased, first occurrence wins, values cut to MAX_VALUE. */
  headers: Record<string, string>;
  server?: string;
  st?: string;
  usn?: string;
  location?: string;
}

export type SsdpParse = { ok: true; message: SsdpMessage } | { ok: false; reason: string };

/** Pure: an SSDP datagram (HTTP-over-UDP head) → its headers. Bounded; never throws. */
export function parseSsdp(bytes: Buffer): SsdpParse {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  // Latin-1 keeps every byte as one character: invalid UTF-8 cannot break the split.
  const text = bytes.subarray(0, MAX_SSDP_BYTES).toString('latin1');
  const lines = text.split(/\r?\n/, MAX_HEADERS + 2);
  const first = (lines[0] ?? '').trim();
  let kind: SsdpMessage['kind'];
  let status: number | undefined;
  const m = /^HTTP\/1\.[01]\s+(\d{3})(?:\s.*)?$/i.exec(first);
  if (m) {
    kind = 'response';
    status = Number(m[1]);
  } else if (/^NOTIFY\s+\*\s+HTTP\/1\.[01]$/i.test(first)) {
    kind = 'notify';
  } else {
    return { ok: false, reason: 'not an SSDP response' };
  }
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!name || name in headers) continue;
    headers[name] = line
      .slice(colon + 1)
      .trim()
      .slice(0, MAX_VALUE);
    if (++count >= MAX_HEADERS) break;
  }
  const message: SsdpMessage = { kind, headers };
  if (status !== undefined) message.status = status;
  const server = headers.server;
  const st = headers.st ?? headers.nt;
  const usn = headers.usn;
  const location = headers.location;
  if (server) message.server = server;
  if (st) message.st = st;
  if (usn) message.usn = usn;
  if (location) message.location = location;
  return { ok: true, message };
}

/** A search answer: a 200 carrying what a device says about itself (ST or USN). */
export function isSearchResponse(p: SsdpParse): p is { ok: true; message: SsdpMessage } {
  return (
    p.ok && p.message.kind === 'response' && p.message.status === 200 && !!(p.message.st || p.message.usn)
  );
}

/** Pure: a recorded SSDP exchange → observations. */
export function observeSsdp(ex: Exchange): Observation[] {
  const parsed = parseSsdp(responseBytes(ex));
  if (!parsed.ok) return [];
  const out: Observation[] = [];
  const add = (field: FieldName, value: string | undefined) => {
    if (value) out.push(observationFrom(ex, field, value));
  };
  add('ssdp.header.server', parsed.message.server);
  add('ssdp.st', parsed.message.st);
  add('ssdp.usn', parsed.message.usn);
  add('ssdp.location', parsed.message.location);
  return out;
}
