/** Xiongmai "Sofia"/DVRIP discovery on UDP 34569 (PROTOCOLS.md §3.5). */
export const DVRIP_DISCOVERY_PORT = 34569;
export const DVRIP_HEADER_LENGTH = 20;
export const MSG_DISCOVERY_REQUEST = 1530; // 0x05FA
export const MSG_DISCOVERY_REPLY = 1531; // 0x05FB

/**
 * The 20-byte header (little-endian): u8 0xFF head flag, u8 version, u16 reserved, u32 session,
 * u32 sequence, u8 channel, u8 end flag, u16 message id, u32 body length. The discovery request is
 * message 1530 with an empty body — the standard search message of the vendor's own tools.
 */
export function buildDiscoveryRequest(): Buffer {
  const b = Buffer.alloc(DVRIP_HEADER_LENGTH);
  b.writeUInt8(0xff, 0);
  b.writeUInt16LE(MSG_DISCOVERY_REQUEST, 14);
  b.writeUInt32LE(0, 16);
  return b;
}

export interface DvripHeader {
  head: number;
  session: number;
  sequence: number;
  messageId: number;
  bodyLength: number;
}

export function readHeader(b: Buffer): DvripHeader | undefined {
  if (b.length < DVRIP_HEADER_LENGTH) return undefined;
  return {
    head: b.readUInt8(0),
    session: b.readUInt32LE(4),
    sequence: b.readUInt32LE(8),
    messageId: b.readUInt16LE(14),
    bodyLength: b.readUInt32LE(16),
  };
}

/** True for exactly our request (the lab answers nothing else). */
export function isDiscoveryRequest(b: Buffer): boolean {
  const h = readHeader(b);
  return (
    b.length === DVRIP_HEADER_LENGTH &&
    h?.head === 0xff &&
    h.messageId === MSG_DISCOVERY_REQUEST &&
    h.bodyLength === 0
  );
}
