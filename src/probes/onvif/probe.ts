import { encodeResponse } from '../../core/exchange.ts';
import { redact } from '../../core/redact.ts';
import { classify } from '../../core/status.ts';
import { responseComplete } from '../http/framing.ts';
import { type Challenge, parseResponse } from '../http/parse.ts';
import { USER_AGENT } from '../http/probe.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { digestAuthorization, digestChallenge } from './digest.ts';
import {
  buildSoapPost,
  newUsernameToken,
  type OnvifCall,
  requestTarget,
  type UsernameToken,
} from './message.ts';
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
  /** The WWW-Authenticate challenges of an answer, in wire order. */
  challenges?: Challenge[];
}

type Call = (name: OnvifCall, token?: UsernameToken, authorization?: string) => Promise<CallResult>;

interface Credentials {
  username: string;
  password: string;
}

/** What an answered GetDeviceInformation says of the credentials it carried; undefined if unanswered. */
function credentialVerdict(r: CallResult): 'accepted' | 'refused' | undefined {
  if (!r.answered || r.status === undefined || r.body === undefined) return undefined;
  return parseOnvifBody(r.status, r.body).authRequired ? 'refused' : 'accepted';
}

/**
 * GetDeviceInformation with the user's credentials for this host. First with a WS-UsernameToken;
 * a 401 carrying an HTTP Digest challenge (Hikvision, Dahua) means the HTTP layer stopped the call
 * before the token was looked at, so it is made once more with an `Authorization: Digest` answer
 * to that challenge and a fresh token beside it (devices differ in which they check). One retry:
 * a second refusal is a real one. Same URL, same host: the challenge's `domain` is not followed.
 * HTTP Basic is not answered (over plain HTTP the password would cross in clear). Returns the detail.
 */
async function askWithCredentials(
  call: Call,
  url: URL,
  credentials: Credentials,
  skewMs: number,
): Promise<string> {
  const token = () => newUsernameToken(credentials.username, credentials.password, skewMs);
  const first = await call('GetDeviceInformation', token());
  const verdict = credentialVerdict(first);
  if (verdict !== 'refused') return verdict === 'accepted' ? '; authenticated' : '';
  const challenges = first.status === 401 ? (first.challenges ?? []) : [];
  const offered = challenges.map((c) => digestChallenge(c.raw)).find((c) => c !== undefined);
  const authorization = offered && digestAuthorization(offered, credentials, 'POST', requestTarget(url));
  if (!authorization) {
    if (challenges.some((c) => /^digest$/i.test(c.scheme))) return '; HTTP Digest challenge not answerable';
    const basic = challenges.some((c) => /^basic$/i.test(c.scheme));
    const clear = url.protocol === 'https:' ? '' : ' over plain HTTP';
    return `; credentials rejected${basic ? ` (HTTP Basic asked for, not sent${clear})` : ''}`;
  }
  const retry = credentialVerdict(await call('GetDeviceInformation', token(), authorization));
  if (retry === undefined) return '; HTTP Digest retry unanswered';
  return retry === 'accepted' ? '; authenticated (HTTP Digest)' : '; credentials rejected (HTTP Digest)';
}

/**
 * ONVIF device service at an advertised XAddr. PRE_AUTH calls and GetDeviceInformation go without
 * credentials; only when the device refuses GetDeviceInformation and the user supplied credentials
 * for this host is it asked once more with a WS-UsernameToken (PasswordDigest), its Created time
 * moved by the device's clock skew, and, if the HTTP layer answers that with a Digest challenge,
 * once more with an HTTP Digest answer (askWithCredentials). The engine has already passed the
 * XAddr through the scope guard; the transport checks the address again on dial. Recorded requests
 * that carry credentials are redacted.
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

    const call: Call = async (name, token, authorization) => {
      const request = buildSoapPost(url, name, USER_AGENT, token, authorization);
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
          // The UsernameToken (user name, digest, nonce) and the Digest Authorization header
          // (user name, cnonce, response) never leave this function.
          request: token || authorization ? redact(request) : request,
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
          challenges: parsed.response.challenges,
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
      if (credentials) detail = await askWithCredentials(call, url, credentials, skewMs);
    }
    if (answered > 0)
      return { ...base, status: 'success', detail: `${answered}/${sent} calls answered${detail}` };
    if (lastError) return { ...base, status: classify(lastError) };
    if (cutBeforeStatusLine)
      return { ...base, status: 'connection-timeout', detail: 'deadline before the status line' };
    return { ...base, status: 'protocol-mismatch' };
  },
};
