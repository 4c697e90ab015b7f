import { CamsweepError } from '../core/errors.ts';
import type { ProtocolDescriptor } from '../probes/descriptor.ts';
import { PROTOCOLS } from '../probes/index.ts';
import type { ServiceName } from '../probes/types.ts';

export interface PortSpec {
  port: number;
  service: ServiceName;
}

/**
 * The default camera port list (README "Ports"): web UIs, RTSP, and the vendor SDK ports that
 * identify Hikvision (8000), Dahua (37777) and Xiongmai (34567) devices, as the protocol
 * descriptors claim them (each src/probes/<protocol>/index.ts). The first is tried first on every host.
 */
export const DEFAULT_PORTS: readonly PortSpec[] = PROTOCOLS.flatMap((d: ProtocolDescriptor) =>
  (d.services ?? []).flatMap((s) => s.ports.map((port) => ({ port, service: s.service }))),
);

/** The services a `--ports` entry may name: the descriptors' own, and 'unknown'. */
const SERVICES: readonly ServiceName[] = [...new Set(DEFAULT_PORTS.map((p) => p.service)), 'unknown'];

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
    if (service !== undefined && !SERVICES.includes(service)) {
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
