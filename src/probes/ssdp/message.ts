export const SSDP_GROUP_V4 = '239.255.255.250';
export const SSDP_PORT = 1900;

/** The two search targets of the multicast run (PROTOCOLS.md §5.2): everything, and root devices. */
export const SEARCH_TARGETS = ['ssdp:all', 'upnp:rootdevice'] as const;

/**
 * An M-SEARCH (UPnP Device Architecture 1.x §1.3.2), CRLF line ends, blank line at the end.
 * Multicast: HOST is the group and MX 2 spreads the answers. Unicast: HOST is the device's own
 * address; MX is kept (1) because older libupnp stacks drop a search without it.
 */
export function buildMSearch(st: string, unicastHost?: string): string {
  const host = unicastHost
    ? `${unicastHost.includes(':') ? `[${unicastHost}]` : unicastHost}:${SSDP_PORT}`
    : `${SSDP_GROUP_V4}:${SSDP_PORT}`;
  return (
    'M-SEARCH * HTTP/1.1\r\n' +
    `HOST: ${host}\r\n` +
    'MAN: "ssdp:discover"\r\n' +
    `MX: ${unicastHost ? 1 : 2}\r\n` +
    `ST: ${st}\r\n` +
    '\r\n'
  );
}
