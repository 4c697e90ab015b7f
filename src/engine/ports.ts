import { CamsweepError } from '../core/errors.ts';
import type { ServiceName } from '../probes/types.ts';

export interface PortSpec {
  port: number;
  service: ServiceName;
}

/**
 * The default camera port list (README "Ports"): web UIs, RTSP, and the vendor SDK ports that
 * identify Hikvision (8000), Dahua (37777) and Xiongmai (34567) devices. Sources: PROTOCOLS.md §1.8
 * and §4.6; nmap and masscan baselines in BENCH-BASELINE.md use the same core set.
 */
export const DEFAULT_PORTS: readonly PortSpec[] = [
  { port: 80, service: 'http' },
  { port: 443, service: 'https' },
  { port: 554, service: 'rtsp' },
  { port: 8000, service: 'hik-sdk' },
  { port: 8080, service: 'http' },
  { port: 8443, service: 'https' },
  { port: 8554, service: 'rtsp' },
  { port: 8899, service: 'http' },
  { port: 37777, service: 'dahua-sdk' },
  { port: 34567, service: 'xm-dvrip' },
  { port: 23, service: 'telnet' },
  { port: 21, service: 'ftp' },
];

const SERVICES: readonly ServiceName[] = [
  'http',
  'https',
  'rtsp',
  'hik-sdk',
  'dahua-sdk',
  'xm-dvrip',
  'telnet',
  'ftp',
  'unknown',
];

function guessService(port: number): ServiceName {
  return DEFAULT_PORTS.find((p) => p.port === port)?.service ?? 'unknown';
}

/** `80,443/https,10080/http,8000-8010`: a port, a range, or a port with the service it speaks. */
export function parsePorts(text: string): PortSpec[] {
  const out = new Map<number, PortSpec>();
  for (const raw of text.split(',')) {
    const token = raw.trim();
    if (!token) continue;
    const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/([a-z-]+))?$/.exec(token);
    if (!m)
      throw new CamsweepError('USAGE', `bad port "${token}" in --ports: use 80, 8000-8010 or 10080/http`);
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    const service = m[3];
    if (from < 1 || to > 65535 || from > to) {
      throw new CamsweepError('USAGE', `bad port "${token}" in --ports: ports run from 1 to 65535`);
    }
    if (service !== undefined && !SERVICES.includes(service as ServiceName)) {
      throw new CamsweepError(
        'USAGE',
        `bad port "${token}" in --ports: unknown service "${service}" (${SERVICES.join(', ')})`,
      );
    }
    if (to - from > 4096)
      throw new CamsweepError('USAGE', `bad port "${token}" in --ports: a range may hold 4096 ports at most`);
    for (let p = from; p <= to; p++)
      out.set(p, { port: p, service: (service as ServiceName | undefined) ?? guessService(p) });
  }
  if (out.size === 0) throw new CamsweepError('USAGE', '--ports is empty');
  return [...out.values()];
}

export function formatPorts(ports: readonly PortSpec[]): string {
  return ports
    .map((p) => (guessService(p.port) === p.service ? String(p.port) : `${p.port}/${p.service}`))
    .join(',');
}
