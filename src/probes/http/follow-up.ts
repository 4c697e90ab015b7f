import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { httpProbe, httpsProbe } from './probe.ts';

/**
 * A web interface a device advertised (SADP HttpPort on its IPv4Address, …): the engine has passed
 * the URL through the scope guard, and tcpExchange checks the address again on dial. The page is
 * read as the banner probe reads any web port (GET /, in-scope redirects only).
 */
export const httpFollowUpProbe: Probe = {
  id: 'http-follow-up',
  protocol: 'http',
  transport: 'tcp',
  defaultPorts: [80],
  timeoutMs: httpProbe.timeoutMs,
  intrusiveness: 'safe',
  produces: httpProbe.produces,
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    let url: URL;
    try {
      url = new URL(target.url ?? `http://${target.host}/`);
    } catch {
      return { probe: this.id, host: target.host, status: 'out-of-scope', detail: 'unparsable URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { probe: this.id, host: target.host, status: 'out-of-scope', detail: `scheme ${url.protocol}` };
    const decision = ctx.guard.checkUrl(url.href);
    if (!decision.allowed)
      return { probe: this.id, host: target.host, status: 'out-of-scope', detail: decision.reason };
    const tls = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : tls ? 443 : 80;
    const outcome = await (tls ? httpsProbe : httpProbe).run({ host: decision.address, port }, ctx);
    return { ...outcome, probe: this.id };
  },
};
