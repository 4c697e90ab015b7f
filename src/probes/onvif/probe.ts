import { encodeResponse } from '../../core/exchange.ts';
import { classify } from '../../core/status.ts';
import { tcpExchange } from '../../transport/tcp.ts';
import { parseResponse } from '../http/parse.ts';
import { USER_AGENT } from '../http/probe.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { buildSoapPost, type OnvifCall } from './message.ts';

const CALLS: OnvifCall[] = ['GetSystemDateAndTime', 'GetServices', 'GetDeviceInformation'];

/**
 * ONVIF device service at an advertised XAddr, without credentials. The engine has already
 * passed the XAddr through the scope guard; tcpExchange checks the address again on dial.
 */
export const onvifProbe: Probe = {
  id: 'onvif-soap',
  protocol: 'onvif',
  transport: 'tcp',
  defaultPorts: [80],
  timeoutMs: 6000,
  intrusiveness: 'safe',
  produces: ['onvif.auth', 'onvif.device.manufacturer', 'onvif.device.model', 'onvif.system_time.utc'],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const url = new URL(target.url ?? `http://${target.host}/onvif/device_service`);
    const tls = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : tls ? 443 : 80;
    const base = { probe: this.id, host: target.host, port };
    let answered = 0;
    let lastError: unknown;
    for (const call of CALLS) {
      const request = buildSoapPost(url, call, USER_AGENT);
      try {
        const result = await tcpExchange(ctx.guard, target.host, port, request, { signal: ctx.signal, tls });
        ctx.record({
          type: 'exchange',
          host: target.host,
          port,
          transport: tls ? 'tls' : 'tcp',
          protocol: 'onvif',
          probe: this.id,
          request,
          ...encodeResponse(result.bytes),
          at: new Date().toISOString(),
          ...(result.tls ? { tls: result.tls } : {}),
        });
        if (parseResponse(result.bytes).ok) answered += 1;
      } catch (err) {
        lastError = err;
        if (ctx.signal.aborted) break;
      }
    }
    if (answered > 0)
      return { ...base, status: 'success', detail: `${answered}/${CALLS.length} calls answered` };
    if (lastError) return { ...base, status: classify(lastError) };
    return { ...base, status: 'protocol-mismatch' };
  },
};
