/**
 * Pure RTSP parser: a recorded 'rtsp' exchange → observations. RTSP/1.0 responses share HTTP's
 * syntax, so the lenient HTTP parser (../http/parse.ts) reads the head; this module only picks the
 * RTSP facts out of it. Never throws; output is bounded (the HTTP parser caps headers and body,
 * and we cap SDP lines and value lengths here).
 */
import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationMaker } from '../../core/observation.ts';
import { type ParsedResponse, parseResponse } from '../http/parse.ts';
import type { RtspField } from './fields.ts';

/** SDP lines looked at; a real description has a few dozen. */
const MAX_SDP_LINES = 200;
/** Observations one exchange may produce at most (headers are already capped at 200). */
const MAX_OBSERVATIONS = 64;

/** The CSeq a response carries, or undefined when it has none or it is not a number. */
export function responseCseq(res: ParsedResponse): number | undefined {
  const value = res.header('cseq');
  if (value === undefined || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

export interface SdpFacts {
  sessionName?: string;
  tool?: string;
  /** Path and query of each distinct a=control URL (the stream's address on the device). */
  controls: string[];
  /** The a=Media_header attribute (Hikvision firmware's private stream header). */
  mediaHeader?: string;
}

/** The path and query of a control URL (absolute or relative), without host or credentials. */
function controlPath(value: string): string | undefined {
  const v = value.trim();
  if (v === '' || v === '*') return undefined;
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(v);
  const path = m ? (m[1] ?? '/') : v.startsWith('/') ? v : undefined;
  return path?.slice(0, 256);
}

/** The facts of an SDP text: session name, tool, control paths, media header. */
export function sdpTextFacts(text: string): SdpFacts {
  const out: SdpFacts = { controls: [] };
  for (const raw of text.split('\n', MAX_SDP_LINES)) {
    const line = raw.replace(/\r$/, '');
    if (out.sessionName === undefined && line.startsWith('s=')) out.sessionName = line.slice(2);
    else if (out.tool === undefined && line.startsWith('a=tool:')) out.tool = line.slice(7);
    else if (line.startsWith('a=control:')) {
      const path = controlPath(line.slice(10));
      if (path && !out.controls.includes(path) && out.controls.length < 8) out.controls.push(path);
    } else if (out.mediaHeader === undefined && line.startsWith('a=Media_header:'))
      out.mediaHeader = line.slice(15).replace(/;$/, '');
  }
  return out;
}

/** The SDP facts of a response body, if it is SDP. */
export function sdpFacts(res: ParsedResponse): SdpFacts {
  const type = res.header('content-type') ?? '';
  const text = res.body.toString('latin1');
  if (!/^application\/sdp\b/i.test(type.trim()) && !/^v=0\r?\n/.test(text)) return { controls: [] };
  return sdpTextFacts(text);
}

function sdpObservations(ex: Exchange, sdp: SdpFacts): Observation[] {
  const obs = observationMaker<RtspField>(ex);
  return [
    ...obs('rtsp.sdp.session_name', sdp.sessionName),
    ...obs('rtsp.sdp.tool', sdp.tool),
    ...sdp.controls.flatMap((c) => obs('rtsp.sdp.control', c)),
    ...obs('rtsp.sdp.media_header', sdp.mediaHeader),
  ];
}

/** Pure: a recorded RTSP exchange → rtsp.* observations (nothing for a non-RTSP answer). */
export function observeRtsp(ex: Exchange): Observation[] {
  const bytes = responseBytes(ex);
  const parsed = parseResponse(bytes);
  // An SDP description another tool logged without its RTSP head is read as it is.
  if (!parsed.ok && /^v=0\r?\n/.test(bytes.subarray(0, 8).toString('latin1')))
    return sdpObservations(ex, sdpTextFacts(bytes.toString('latin1'))).slice(0, MAX_OBSERVATIONS);
  if (!parsed.ok || parsed.response.kind !== 'rtsp') return [];
  const res = parsed.response;
  const obs = observationMaker(ex);
  const out: Observation[] = [];
  for (const v of res.headerAll('server')) out.push(...obs('rtsp.header.server', v));
  for (const c of res.challenges) out.push(...obs('rtsp.auth.realm', c.realm));
  for (const v of res.headerAll('public')) out.push(...obs('rtsp.public', v.replace(/\s+/g, ' ')));
  out.push(...sdpObservations(ex, sdpFacts(res)));
  return out.slice(0, MAX_OBSERVATIONS);
}
