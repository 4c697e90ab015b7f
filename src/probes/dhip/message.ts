/**
 * Dahua DHIP discovery ("DHDiscover", PROTOCOLS.md §3.2): a 32-byte little-endian header
 * (header length 0x20, magic "DHIP", session 0, id 0, body length, 0, body length, 0) and a JSON
 * body. The search is the standard discovery request of Dahua's own tools; it asks, it sets nothing.
 */
export const DHIP_PORT = 37810;
/** Note .251: Dahua's group, not the SSDP/WS-Discovery .250. */
export const DHIP_GROUP_V4 = '239.255.255.251';
export const DHIP_HEADER_LENGTH = 32;
export const DHIP_MAGIC = 'DHIP';

export const DHIP_SEARCH_BODY = '{"method":"DHDiscover.search","params":{"mac":"","uni":1}}';

/** Frames a JSON body in the DHIP header (also used by the lab responder for replies). */
export function frameDhip(body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const header = Buffer.alloc(DHIP_HEADER_LENGTH);
  header.writeUInt32LE(DHIP_HEADER_LENGTH, 0);
  header.write(DHIP_MAGIC, 4, 'latin1');
  header.writeUInt32LE(bytes.length, 16);
  header.writeUInt32LE(bytes.length, 24);
  return Buffer.concat([header, bytes]);
}

export function buildSearch(): Buffer {
  return frameDhip(DHIP_SEARCH_BODY);
}

/**
 * Exchanges carry the request as a string: the binary header is kept byte for byte as latin1
 * (every byte < 0x100 maps to one code point), so the recorded request is what went on the wire.
 */
export function requestText(bytes: Buffer): string {
  return bytes.toString('latin1');
}
