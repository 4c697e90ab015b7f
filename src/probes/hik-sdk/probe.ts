import { type Exchange, encodeResponse } from '../../core/exchange.ts';
import { readVolunteered } from '../banner/probe.ts';
import type { ProbeContext, ProbeOutcome, ProbeTarget, ServiceProbe } from '../types.ts';
import { SDK_IDLE_MS, SDK_MAX_BYTES, SDK_WINDOW_MS } from './message.ts';

/** Listens on the Hikvision SDK port (8000) and records only what the device volunteers (see message.ts). */
export const hikSdkProbe: ServiceProbe = {
  id: 'hik-sdk-listen',
  protocol: 'sdk',
  transport: 'tcp',
  defaultPorts: [8000],
  services: ['hik-sdk'],
  timeoutMs: SDK_WINDOW_MS + 1000,
  intrusiveness: 'passive',
  produces: ['sdk.banner'],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const port = target.port ?? 8000;
    const base = { probe: this.id, host: target.host, port };
    const got = await readVolunteered(ctx, target.host, port, {
      windowMs: SDK_WINDOW_MS,
      idleMs: SDK_IDLE_MS,
      maxBytes: SDK_MAX_BYTES,
    });
    if (got.kind === 'failed') return { ...base, status: got.status };
    if (got.kind === 'silent') return { ...base, status: 'no-response', detail: 'open, volunteered nothing' };
    const ex: Exchange = {
      type: 'exchange',
      host: target.host,
      port,
      transport: 'tcp',
      protocol: 'sdk',
      probe: this.id,
      ...encodeResponse(got.bytes),
      at: new Date().toISOString(),
    };
    ctx.record(ex);
    return { ...base, status: 'success' };
  },
};
