import type { ProtocolDescriptor } from '../descriptor.ts';
import { BANNER_FIELDS } from './fields.ts';
import { observeFtp, observeTelnet } from './parse.ts';
import { ftpBannerProbe, telnetBannerProbe } from './probe.ts';

/** Telnet and FTP: what the port volunteers on connect. */
export const banner = {
  id: 'banner',
  parsers: { telnet: observeTelnet, ftp: observeFtp },
  fields: BANNER_FIELDS,
  services: [
    { service: 'telnet', ports: [23] },
    { service: 'ftp', ports: [21] },
  ],
  serviceProbes: [telnetBannerProbe, ftpBannerProbe],
} satisfies ProtocolDescriptor;
