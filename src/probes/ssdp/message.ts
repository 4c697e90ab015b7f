export const SSDP_GROUP_V4 = '239.255.255.250';
/** Link-local scope (UPnP Device Architecture 1.1 §1.1.1). */
export const SSDP_GROUP_V6 = 'ff02::c';
export const SSDP_PORT = 1900;

/** The two search targets of the multicast run (PROTOCOLS.md §5.2): everything, and root devices. */
export const SEARCH_TARGETS = ['ssdp:all', 'upnp:rootdevice'] as const;

/**
 * An M-SEARCH (UPnP Device Architecture 1.x §1.3.2), CRLF line ends, blank line at the end.
 * Multicast: HOST is the group (`[FF02::C]:1900` over IPv6) and MX 2 spreads the answers. Unicast:
 * HOST is the device's own address; MX is kept (1) because older libupnp stacks drop a search
 * without it.
 */
export function buildMSearch(
  st: string,
  to: { unicast: string } | { group: string } = { group: SSDP_GROUP_V4 },
): string {
  const address = 'unicast' in to ? to.unicast : to.group.toUpperCase();
  const host = `${address.includes(':') ? `[${address}]` : address}:${SSDP_PORT}`;
  return (
    'M-SEARCH * HTTP/1.1\r\n' +
    `HOST: ${host}\r\n` +
    'MAN: "ssdp:discover"\r\n' +
    `MX: ${'unicast' in to ? 1 : 2}\r\n` +
    `ST: ${st}\r\n` +
    '\r\n'
  );
}
