import { encodeResponse } from '../../core/exchange.ts';
import { classify } from '../../core/status.ts';
import { peerClosed } from '../../transport/stop-when.ts';
import type { TcpExchangeResult } from '../../transport/tcp.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { REALM_REQUEST } from './message.ts';
import { parseRealmReply } from './parse.ts';

/** The realm line is short; 2 KiB is more than any device sends before it waits for a login. */
const REALM_REPLY = peerClosed(2048);

/**
 * Dahua DVRIP realm read on TCP 37777: sends only the 32-byte realm request (no credentials) and
 * reads the realm line. Reading stops at 2 KiB, at close, or 600 ms after the last byte: the
 * device keeps the connection open for the login that never comes.
 */
export const dahuaSdkRealmProbe: Probe = {
  id: 'dahua-sdk-realm',
  protocol: 'sdk',
  transport: 'tcp',
  defaultPorts: [37777],
  timeoutMs: 4000,
  intrusiveness: 'safe',
  produces: ['sdk.realm'],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const port = target.port ?? 37777;
    const base = { probe: this.id, host: target.host, port };
    let result: TcpExchangeResult;
    try {
      result = await ctx.transport.tcpExchange(ctx.guard, target.host, port, REALM_REQUEST, {
        signal: ctx.signal,
        stopWhen: REALM_REPLY,
        idleMs: 600,
      });
    } catch (err) {
      return { ...base, status: classify(err) };
    }
    ctx.record({
      type: 'exchange',
      host: target.host,
      port,
      transport: 'tcp',
      protocol: 'sdk',
      probe: this.id,
      // The request is binary; latin1 keeps it byte for byte.
      request: REALM_REQUEST.toString('latin1'),
      ...encodeResponse(result.bytes),
      at: new Date().toISOString(),
    });
    const parsed = parseRealmReply(result.bytes);
    if (parsed.ok) return { ...base, status: 'success' };
    if (parsed.reason === 'empty')
      return { ...base, status: result.ended === 'timeout-partial' ? 'connection-timeout' : 'no-response' };
    if (parsed.reason === 'no-realm')
      return { ...base, status: 'protocol-error', detail: 'DVRIP reply without a realm' };
    if (result.ended === 'timeout-partial' && result.bytes.length < 32)
      return { ...base, status: 'connection-timeout', detail: 'reply incomplete at the deadline' };
    return { ...base, status: 'protocol-mismatch' };
  },
};
