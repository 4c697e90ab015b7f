import { webFollowUps } from '../advertised.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { runUnicastUdp } from '../udp-replies.ts';

import { buildSearch, DAHUA_LEGACY_PORT, requestText } from './message.ts';
import { parseDahuaLegacy } from './parse.ts';

/**
 * Dahua legacy discovery, unicast: the vendor's 32-byte search to one live host's UDP 5050, sent
 * twice (the shared runner of src/probes/udp-replies.ts); only replies from that host (the
 * transport drops any other source) that parse as a complete 0xB3 reply count, and identical
 * datagrams are recorded once. Dahua's tools broadcast this search; camsweep never broadcasts, so
 * there is no broadcast variant and a device that answers only broadcasts is not seen here.
 */
export const dahuaLegacyProbe: Probe = {
  id: 'dahua-legacy-discovery',
  protocol: 'dahua-legacy',
  transport: 'udp',
  defaultPorts: [DAHUA_LEGACY_PORT],
  timeoutMs: 2500,
  intrusiveness: 'safe',
  produces: [
    'dahua_legacy.header',
    'dahua_legacy.model',
    'dahua_legacy.name',
    'dahua_legacy.serial',
    'dahua_legacy.version',
    'dahua_legacy.ipv4_address',
    'dahua_legacy.http_port',
    'dahua_legacy.https_port',
    'dahua_legacy.port',
    'mac.address',
  ],
  run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const request = buildSearch();
    return runUnicastUdp(this, target, ctx, {
      port: DAHUA_LEGACY_PORT,
      request,
      recorded: requestText(request),
      maxReplies: 8,
      what: 'Dahua legacy discovery replies',
      judge: (bytes) => {
        const parsed = parseDahuaLegacy(bytes);
        if (parsed.ok) return { ok: true, value: parsed.device };
        // Not 0xB3 at all: another protocol. 0xB3 with lengths or a MAC that do not hold: broken.
        return { ok: false, why: parsed.reason === 'not-dahua-legacy' ? 'foreign' : 'broken' };
      },
      followUps: webFollowUps,
    });
  },
};
