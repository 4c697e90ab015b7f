import { type Exchange, responseBytes } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import type { DocumentReader } from '../probes/descriptor.ts';
import { parseResponse } from '../probes/http/parse.ts';
import { PROTOCOLS } from '../probes/index.ts';

type Parser = (ex: Exchange) => Observation[];

/**
 * The parsers of each exchange protocol, from the descriptors. Two folders read 'sdk' (the Dahua
 * realm request and the Hikvision listener): each keeps to its own replies, both run.
 */
const PARSERS = new Map<string, { owner: string; parse: Parser }[]>();
for (const d of PROTOCOLS) {
  for (const [protocol, parse] of Object.entries(d.parsers) as [string, Parser][]) {
    PARSERS.set(protocol, [...(PARSERS.get(protocol) ?? []), { owner: d.id, parse }]);
  }
}

/** The document readers in registry order: each protocol's own, then the generic device-info reader. */
const READERS: readonly { owner: string; reader: DocumentReader }[] = PROTOCOLS.flatMap((d) =>
  'document' in d ? [{ owner: d.id, reader: d.document }] : [],
);

/** What a document reader looks at: the body of an HTTP response, else the whole response. */
function payloadOf(ex: Exchange): Buffer {
  const bytes = responseBytes(ex);
  const http = parseResponse(bytes);
  return http.ok && http.response.kind === 'http' ? http.response.body : bytes;
}

function key(o: Observation): string {
  return `${o.host}\n${o.port ?? ''}\n${o.probe ?? ''}\n${o.field}\n${o.value}`;
}

/**
 * Pure: any recorded exchange → the observations its protocol's parsers find in it, and those of
 * the document it carries, read by what it is (ISAPI DeviceInfo over HTTP, a bare UPnP description
 * or DHIP JSON another tool logged …) whatever the port, path or request. A document its own
 * protocol's parser already read is not read twice.
 */
export function observe(ex: Exchange): Observation[] {
  const own = PARSERS.get(ex.protocol) ?? [];
  const out = own.length === 1 ? (own[0]?.parse(ex) ?? []) : own.flatMap((p) => p.parse(ex));
  const payload = payloadOf(ex);
  const found = READERS.find((r) => r.reader.recognise(payload));
  if (!found || own.some((p) => p.owner === found.owner)) return out;
  const seen = new Set(out.map(key));
  for (const o of found.reader.read(ex, payload)) if (!seen.has(key(o))) out.push(o);
  return out;
}
