import { encodeResponse } from '../../core/exchange.ts';
import { classify } from '../../core/status.ts';
import { responseComplete } from '../http/framing.ts';
import { parseResponse } from '../http/parse.ts';
import { buildGet } from '../http/probe.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { descriptionOf } from './parse.ts';

/** A description larger than this is not a camera's; the cap keeps a flood out of memory. */
const MAX_DESCRIPTION_BYTES = 64 * 1024;
const RESPONSE = responseComplete({ maxBodyBytes: MAX_DESCRIPTION_BYTES });

/**
 * Fetches a UPnP device description at an SSDP LOCATION (a follow-up). The engine has already
 * passed the URL through the scope guard; this probe checks it again and dials only through the
 * guard, so a LOCATION pointing outside the targets is never fetched (status out-of-scope).
 */
export const upnpProbe: Probe = {
  id: 'upnp-description',
  protocol: 'upnp',
  transport: 'tcp',
  defaultPorts: [49152],
  timeoutMs: 5000,
  intrusiveness: 'safe',
  produces: [
    'upnp.manufacturer',
    'upnp.model_name',
    'upnp.model_number',
    'upnp.serial',
    'upnp.friendly_name',
    'upnp.udn',
    'upnp.device_type',
    'upnp.model_description',
    'upnp.presentation_url',
  ],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const base = { probe: this.id, host: target.host };
    const raw = target.url;
    if (!raw) return { ...base, status: 'protocol-error', detail: 'no description URL' };
    const decision = ctx.guard.checkUrl(raw);
    if (!decision.allowed)
      return { ...base, status: 'out-of-scope', detail: `${raw} not fetched: ${decision.reason}` };
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ...base, status: 'protocol-error', detail: 'bad URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { ...base, status: 'out-of-scope', detail: `${url.protocol} is not fetched` };
    const tls = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : tls ? 443 : 80;
    const request = buildGet(decision.address, port, `${url.pathname}${url.search}`, tls);
    try {
      const result = await ctx.transport.tcpExchange(ctx.guard, decision.address, port, request, {
        signal: ctx.signal,
        tls,
        stopWhen: RESPONSE,
      });
      ctx.record({
        type: 'exchange',
        host: decision.address,
        port,
        transport: tls ? 'tls' : 'tcp',
        protocol: 'upnp',
        probe: this.id,
        request,
        ...encodeResponse(result.bytes),
        at: new Date().toISOString(),
        ...(result.tls ? { tls: result.tls } : {}),
      });
      const parsed = descriptionOf(result.bytes);
      if (parsed.ok) return { ...base, port, status: 'success' };
      if (!parseResponse(result.bytes).ok) {
        if (result.ended === 'timeout-partial' || result.ended === 'idle')
          return { ...base, port, status: 'connection-timeout', detail: 'no complete answer' };
        return { ...base, port, status: 'protocol-mismatch', detail: parsed.reason };
      }
      return { ...base, port, status: 'protocol-error', detail: parsed.reason };
    } catch (err) {
      return { ...base, port, status: classify(err) };
    }
  },
};
