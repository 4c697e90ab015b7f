import { encodeResponse } from '../../core/exchange.ts';
import { redact } from '../../core/redact.ts';
import { classify } from '../../core/status.ts';
import { responseComplete } from '../http/framing.ts';
import { parseResponse } from '../http/parse.ts';
import { USER_AGENT } from '../http/probe.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { buildSoapPost, newUsernameToken, type OnvifCall, type UsernameToken } from './message.ts';
import { parseOnvifBody } from './parse.ts';

/** Without credentials, in this order: the clock first (for the skew), READ_SYSTEM last. */
const CALLS: OnvifCall[] = [
  'GetSystemDateAndTime',
  'GetServices',
  'GetCapabilities',
  'GetHostname',
  'GetDeviceInformation',
];

/** A clock further off than this is not a clock we trust for anything (e.g. year 1970). */
const MAX_SKEW_MS = 20 * 365 * 24 * 3600 * 1000;

const RESPONSE = responseComplete();

interface CallResult {
  answered: boolean;
  status?: number;
  body?: string;
  error?: unknown;
  receivedAt: number;
}

/**
 * ONVIF device service at an advertised XAddr. PRE_AUTH calls and GetDeviceInformation go without
 * credentials; only when the device refuses GetDeviceInformation and the user supplied credentials
 * for this host is it asked once more with a WS-UsernameToken (PasswordDigest), its Created time
 * moved by the device's clock skew. The engine has already passed the XAddr through the scope
 * guard; the transport checks the address again on dial. Recorded requests are redacted.
 */
export const onvifProbe: Probe = {
  id: 'onvif-soap',
  protocol: 'onvif',
  transport: 'tcp',
  defaultPorts: [80],
  timeoutMs: 6000,
  intrusiveness: 'safe',
  produces: [
    'onvif.auth',
    'onvif.device.manufacturer',
    'onvif.device.model',
    'onvif.device.firmware',
    'onvif.device.serial',
    'onvif.device.hardware_id',
    'onvif.system_time.utc',
    'onvif.service.namespace',
    'onvif.hostname',
    'onvif.capabilities.device_xaddr',
    // The parser also emits onvif.capabilities.extension_ns (vendor namespaces of a GetCapabilities
    // reply); no lab persona serves such a reply yet, so it is not promised here.
  ],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const url = new URL(target.url ?? `http://${target.host}/onvif/device_service`);
    const tls = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : tls ? 443 : 80;
    const base = { probe: this.id, host: target.host, port };
    let answered = 0;
    let sent = 0;
    let lastError: unknown;
    // A slow drip cut off by the deadline before its status line ended is a timeout, not proof
    // that the port speaks something else.
    let cutBeforeStatusLine = false;

    const call = async (name: OnvifCall, token?: UsernameToken): Promise<CallResult> => {
      const request = buildSoapPost(url, name, USER_AGENT, token);
      sent += 1;
      try {
        const result = await ctx.transport.tcpExchange(ctx.guard, target.host, port, request, {
          signal: ctx.signal,
          tls,
          stopWhen: RESPONSE,
        });
        const receivedAt = Date.now();
        ctx.record({
          type: 'exchange',
          host: target.host,
          port,
          transport: tls ? 'tls' : 'tcp',
          protocol: 'onvif',
          probe: this.id,
          // The UsernameToken (user name, digest, nonce) never leaves this function.
          request: token ? redact(request) : request,
          ...encodeResponse(result.bytes),
          at: new Date(receivedAt).toISOString(),
          ...(result.tls ? { tls: result.tls } : {}),
        });
        const parsed = parseResponse(result.bytes);
        if (result.ended === 'timeout-partial' && !result.bytes.includes(0x0a)) cutBeforeStatusLine = true;
        if (!parsed.ok || parsed.response.kind !== 'http') return { answered: false, receivedAt };
        answered += 1;
        return {
          answered: true,
          status: parsed.response.status,
          body: parsed.response.body.toString('utf8'),
          receivedAt,
        };
      } catch (error) {
        lastError = error;
        return { answered: false, error, receivedAt: Date.now() };
      }
    };

    let skewMs = 0;
    let refusedInformation = false;
    for (const name of CALLS) {
      const r = await call(name);
      if (ctx.signal.aborted) break;
      if (!r.answered || r.status === undefined || r.body === undefined) continue;
      const soap = parseOnvifBody(r.status, r.body);
      if (name === 'GetSystemDateAndTime' && soap.utc) {
        const skew = Date.parse(soap.utc) - r.receivedAt;
        if (Number.isFinite(skew) && Math.abs(skew) < MAX_SKEW_MS) skewMs = skew;
      }
      if (name === 'GetDeviceInformation') refusedInformation = soap.authRequired;
    }
    let detail = '';
    if (refusedInformation && !ctx.signal.aborted) {
      const credentials = ctx.settings.credentials?.(target.host);
      if (credentials) {
        const r = await call(
          'GetDeviceInformation',
          newUsernameToken(credentials.username, credentials.password, skewMs),
        );
        if (r.answered && r.status !== undefined && r.body !== undefined) {
          detail = parseOnvifBody(r.status, r.body).authRequired
            ? '; credentials rejected'
            : '; authenticated';
        }
      }
    }
    if (answered > 0)
      return { ...base, status: 'success', detail: `${answered}/${sent} calls answered${detail}` };
    if (lastError) return { ...base, status: classify(lastError) };
    if (cutBeforeStatusLine)
      return { ...base, status: 'connection-timeout', detail: 'deadline before the status line' };
    return { ...base, status: 'protocol-mismatch' };
  },
};
