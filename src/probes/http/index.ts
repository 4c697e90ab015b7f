import type { ProtocolDescriptor } from '../descriptor.ts';
import { HTTP_FIELDS } from './fields.ts';
import { httpFollowUpProbe } from './follow-up.ts';
import { observeHttp } from './observe.ts';
import { httpProbe, httpsProbe } from './probe.ts';

/** HTTP and HTTPS: web banners, titles, realms, favicons and the TLS certificate. */
export const http = {
  id: 'http',
  // A TLS-only record (the certificate, no HTTP) is read by the same parser.
  parsers: { http: observeHttp, tls: observeHttp },
  fields: HTTP_FIELDS,
  services: [
    { service: 'http', ports: [80, 8080, 8899] },
    { service: 'https', ports: [443, 8443] },
  ],
  serviceProbes: [
    { ...httpProbe, services: ['http'] },
    { ...httpsProbe, services: ['https'] },
  ],
  followUps: { http: httpFollowUpProbe },
} satisfies ProtocolDescriptor;
