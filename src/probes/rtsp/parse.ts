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

/** The SDP session name (s=) and tool (a=tool:) of a body, if it is SDP. */
export function sdpFacts(res: ParsedResponse): { sessionName?: string; tool?: string } {
  const type = res.header('content-type') ?? '';
  const text = res.body.toString('latin1');
  if (!/^application\/sdp\b/i.test(type.trim()) && !/^v=0\r?\n/.test(text)) return {};
  const out: { sessionName?: string; tool?: string } = {};
  const lines = text.split('\n', MAX_SDP_LINES);
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (out.sessionName === undefined && line.startsWith('s=')) out.sessionName = line.slice(2);
    else if (out.tool === undefined && line.startsWith('a=tool:')) out.tool = line.slice(7);
  }
  return out;
}

/** Pure: a recorded RTSP exchange → rtsp.* observations (nothing for a non-RTSP answer). */
export function observeRtsp(ex: Exchange): Observation[] {
  const parsed = parseResponse(responseBytes(ex));
  if (!parsed.ok || parsed.response.kind !== 'rtsp') return [];
  const res = parsed.response;
  const obs = observationMaker(ex);
  const out: Observation[] = [];
  for (const v of res.headerAll('server')) out.push(...obs('rtsp.header.server', v));
  for (const c of res.challenges) out.push(...obs('rtsp.auth.realm', c.realm));
  for (const v of res.headerAll('public')) out.push(...obs('rtsp.public', v.replace(/\s+/g, ' ')));
  const sdp = sdpFacts(res);
  out.push(...obs('rtsp.sdp.session_name', sdp.sessionName));
  out.push(...obs('rtsp.sdp.tool', sdp.tool));
  return out.slice(0, MAX_OBSERVATIONS);
}
