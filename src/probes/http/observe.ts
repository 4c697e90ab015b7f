import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationMaker } from '../../core/observation.ts';
import type { RtspField } from '../rtsp/fields.ts';
import { faviconOf } from './favicon.ts';
import type { HttpField } from './fields.ts';
import { type ParsedResponse, parseResponse } from './parse.ts';

/** The fields this parser may produce. */
type FieldName = HttpField | RtspField;

/** The HTTP-layer facts of any HTTP response (banner grab, ONVIF SOAP, redirects). */
export function httpLayerObservations(ex: Exchange, res: ParsedResponse): Observation[] {
  const obs = observationMaker<FieldName>(ex);
  const out: Observation[] = [];
  out.push(...obs('http.status_line', res.statusLine));
  for (const v of res.headerAll('server')) out.push(...obs('http.header.server', v));
  out.push(
    ...obs(
      'http.header.name_order',
      res.headers
        .map((h) => h.name)
        .filter(Boolean)
        .join(','),
    ),
  );
  out.push(...obs('http.title', res.title));
  for (const c of res.challenges) {
    out.push(...obs('http.auth.scheme', c.scheme));
    out.push(...obs('http.auth.realm', c.realm));
  }
  if (res.status >= 300 && res.status < 400) out.push(...obs('http.redirect', res.header('location')));
  for (const cookie of res.headerAll('set-cookie')) {
    out.push(...obs('http.cookie.name', cookie.split('=')[0]));
  }
  return out;
}

export function tlsObservations(ex: Exchange): Observation[] {
  if (!ex.tls) return [];
  const obs = observationMaker<FieldName>(ex);
  return [...obs('tls.subject', ex.tls.subject), ...obs('tls.issuer', ex.tls.issuer)];
}

/** Pure: a recorded HTTP exchange → observations. */
export function observeHttp(ex: Exchange): Observation[] {
  const out = tlsObservations(ex);
  const parsed = parseResponse(responseBytes(ex));
  if (!parsed.ok) return out;
  if (parsed.response.kind === 'rtsp') {
    // An RTSP server on an HTTP port still tells us who it is.
    const obs = observationMaker<FieldName>(ex);
    for (const v of parsed.response.headerAll('server')) out.push(...obs('rtsp.header.server', v));
    return out;
  }
  const favicon = faviconOf(ex.request, parsed.response);
  const obs = observationMaker<FieldName>(ex);
  const hashes = favicon
    ? [...obs('http.favicon.md5', favicon.md5), ...obs('http.favicon.mmh3', favicon.mmh3)]
    : [];
  return [...out, ...httpLayerObservations(ex, parsed.response), ...hashes];
}
