import { type Exchange, encodeResponse } from '../../core/exchange.ts';
import { classify } from '../../core/status.ts';
import { peerClosed } from '../../transport/stop-when.ts';
import type { ProbeContext, ProbeOutcome, ProbeTarget, ServiceProbe } from '../types.ts';
import { GREETING_IDLE_MS, GREETING_MAX_BYTES, GREETING_WINDOW_MS, NO_REQUEST } from './message.ts';
import { bannerLines, looksLikeFtp, stripTelnet } from './parse.ts';

export type Volunteered =
  | { kind: 'bytes'; bytes: Buffer; ended: string }
  | { kind: 'silent' }
  | { kind: 'failed'; status: ProbeOutcome['status'] };

/**
 * Connects (through the guard), sends nothing, and reads what the port volunteers within
 * `windowMs` (and the probe's own deadline): until the peer closes, goes quiet for `idleMs`
 * after its first bytes, or `maxBytes` arrived. Never throws.
 */
export async function readVolunteered(
  ctx: ProbeContext,
  host: string,
  port: number,
  opts: { windowMs: number; idleMs: number; maxBytes: number },
): Promise<Volunteered> {
  const window = AbortSignal.timeout(opts.windowMs);
  const signal = AbortSignal.any([ctx.signal, window]);
  try {
    const r = await ctx.transport.tcpExchange(ctx.guard, host, port, NO_REQUEST, {
      signal,
      stopWhen: peerClosed(opts.maxBytes),
      idleMs: opts.idleMs,
    });
    return r.bytes.length > 0 ? { kind: 'bytes', bytes: r.bytes, ended: r.ended } : { kind: 'silent' };
  } catch (err) {
    // Our listening window ran out before anything came: the port is open and says nothing.
    if (window.aborted && !ctx.signal.aborted) return { kind: 'silent' };
    return { kind: 'failed', status: classify(err) };
  }
}

/** The unfinished start of an FTP reply line: a reply-code digit, then printable text, no line end. */
const FTP_LINE_START = /^[1-5][\x20-\x7e]*$/;

/** A greeting probe for a service that speaks first (telnet, FTP). */
export function makeBannerProbe(protocol: 'telnet' | 'ftp'): ServiceProbe {
  return {
    id: `${protocol}-banner`,
    protocol,
    transport: 'tcp',
    defaultPorts: protocol === 'ftp' ? [21] : [23],
    services: [protocol],
    timeoutMs: GREETING_WINDOW_MS + 1000,
    intrusiveness: 'passive',
    produces: [protocol === 'ftp' ? 'ftp.banner' : 'telnet.banner'],
    async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
      const port = target.port ?? this.defaultPorts[0] ?? 23;
      const base = { probe: this.id, host: target.host, port };
      const got = await readVolunteered(ctx, target.host, port, {
        windowMs: GREETING_WINDOW_MS,
        idleMs: GREETING_IDLE_MS,
        maxBytes: GREETING_MAX_BYTES,
      });
      if (got.kind === 'failed') return { ...base, status: got.status };
      if (got.kind === 'silent') return { ...base, status: 'no-response', detail: 'no greeting' };
      const ex: Exchange = {
        type: 'exchange',
        host: target.host,
        port,
        transport: 'tcp',
        protocol,
        probe: this.id,
        ...encodeResponse(got.bytes),
        at: new Date().toISOString(),
      };
      ctx.record(ex);
      // An FTP greeting is a CRLF-terminated reply line; the start of one ("2", "220 AXIS…") that
      // stops mid-line (a drip, a stall) is cut short, not another protocol. A telnet prompt
      // legitimately ends without a line end.
      if (
        protocol === 'ftp' &&
        FTP_LINE_START.test(got.bytes.toString('latin1')) &&
        (got.ended === 'idle' || got.ended === 'timeout-partial')
      )
        return {
          ...base,
          status: 'connection-timeout',
          detail: `greeting stalled after ${got.bytes.length} bytes`,
        };
      const lines = bannerLines(protocol === 'telnet' ? stripTelnet(got.bytes) : got.bytes);
      if (lines.length === 0) {
        // Option negotiation alone is still telnet speaking; anything else unprintable is not a greeting.
        if (protocol === 'telnet' && got.bytes[0] === 0xff)
          return { ...base, status: 'success', detail: 'option negotiation only' };
        return {
          ...base,
          status: protocol === 'ftp' ? 'protocol-mismatch' : 'no-response',
          detail: 'nothing printable',
        };
      }
      if (protocol === 'ftp' && !looksLikeFtp(lines)) return { ...base, status: 'protocol-mismatch' };
      return { ...base, status: 'success' };
    },
  };
}

export const telnetBannerProbe = makeBannerProbe('telnet');
export const ftpBannerProbe = makeBannerProbe('ftp');
