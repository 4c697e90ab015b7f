import { type Exchange, encodeResponse } from '../../core/exchange.ts';
import { classify } from '../../core/status.ts';
import type { TcpExchangeResult } from '../../transport/tcp.ts';
import { responseComplete } from '../http/framing.ts';
import { parseResponse } from '../http/parse.ts';
import type { ProbeContext, ProbeOutcome, ProbeTarget, ServiceProbe } from '../types.ts';
import { buildDescribe, buildOptions, DESCRIBE_CSEQ, OPTIONS_CSEQ } from './message.ts';
import { responseCseq } from './parse.ts';

/** An RTSP head plus a small SDP: far less than this; more is not a camera's OPTIONS reply. */
const MAX_BODY = 16 * 1024;
/** RTSP frames its answers as HTTP does (status line, Content-Length), without a body when it has no length. */
const RESPONSE = responseComplete({ maxBodyBytes: MAX_BODY });

type Step = { ok: true } | { ok: false; status: ProbeOutcome['status']; detail?: string };

/**
 * OPTIONS then DESCRIBE of rtsp://host:port/, without credentials (PROTOCOLS.md §4.5). Each on a
 * fresh connection through the scope guard. The answers name the server (Server), its methods
 * (Public), and, on the usual 401, the realm the firmware uses everywhere (IP Camera(…),
 * Login to <serial>, AXIS_<MAC> …). A reply whose CSeq is not ours is a protocol error.
 */
export const rtspProbe: ServiceProbe = {
  id: 'rtsp',
  protocol: 'rtsp',
  transport: 'tcp',
  defaultPorts: [554, 8554],
  services: ['rtsp'],
  timeoutMs: 5000,
  intrusiveness: 'safe',
  produces: [
    'rtsp.header.server',
    'rtsp.auth.realm',
    'rtsp.public',
    'rtsp.sdp.session_name',
    'rtsp.sdp.tool',
    'rtsp.sdp.control',
    'rtsp.sdp.media_header',
  ],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const port = target.port ?? 554;
    const base = { probe: this.id, host: target.host, port };
    const step = async (request: string, cseq: number): Promise<Step> => {
      let result: TcpExchangeResult;
      try {
        result = await ctx.transport.tcpExchange(ctx.guard, target.host, port, request, {
          signal: ctx.signal,
          stopWhen: RESPONSE,
        });
      } catch (err) {
        return { ok: false, status: classify(err) };
      }
      const ex: Exchange = {
        type: 'exchange',
        host: target.host,
        port,
        transport: 'tcp',
        protocol: 'rtsp',
        probe: this.id,
        request,
        ...encodeResponse(result.bytes),
        at: new Date().toISOString(),
      };
      ctx.record(ex);
      const parsed = parseResponse(result.bytes);
      if (!parsed.ok) {
        if (parsed.reason === 'empty') return { ok: false, status: 'no-response' };
        if (result.ended === 'timeout-partial' && !result.bytes.includes(0x0a))
          return {
            ok: false,
            status: 'connection-timeout',
            detail: 'status line incomplete at the deadline',
          };
        return { ok: false, status: 'protocol-mismatch' };
      }
      if (parsed.response.kind !== 'rtsp')
        return { ok: false, status: 'protocol-mismatch', detail: 'an HTTP answer on an RTSP port' };
      const got = responseCseq(parsed.response);
      if (got !== cseq)
        return { ok: false, status: 'protocol-error', detail: `CSeq ${got ?? 'missing'}, expected ${cseq}` };
      return { ok: true };
    };

    const options = await step(buildOptions(target.host, port), OPTIONS_CSEQ);
    if (!options.ok)
      return { ...base, status: options.status, ...(options.detail ? { detail: options.detail } : {}) };
    if (ctx.signal.aborted) return { ...base, status: 'success', detail: 'DESCRIBE skipped: deadline' };
    const describe = await step(buildDescribe(target.host, port), DESCRIBE_CSEQ);
    if (describe.ok) return { ...base, status: 'success' };
    // OPTIONS proved RTSP; a wrong CSeq on DESCRIBE is still a protocol error, the rest is detail.
    if (describe.status === 'protocol-error')
      return { ...base, status: 'protocol-error', ...(describe.detail ? { detail: describe.detail } : {}) };
    return { ...base, status: 'success', detail: `DESCRIBE: ${describe.status}` };
  },
};
