/**
 * Dahua DVRIP (TCP 37777, PROTOCOLS.md §3.4): the 32-byte "realm request" that starts a login.
 * It carries no user name and no password; the device answers with its realm and a random
 * challenge, and we stop there: no login frame is ever sent.
 */
export const REALM_REQUEST = Buffer.concat([
  Buffer.from([0xa0, 0x01, 0x00, 0x00]),
  Buffer.alloc(20),
  Buffer.from([0x05, 0x02, 0x01, 0x01, 0x00, 0x00, 0xa1, 0xaa]),
]);

export const DVRIP_HEADER_LENGTH = 32;
/** First byte of DVRIP replies to login-class requests. */
export const DVRIP_REPLY = 0xb0;

/** Builds a reply frame: 0xB0, body length (LE32) at offset 4, the text body (lab responder). */
export function frameRealmReply(body: string): Buffer {
  const bytes = Buffer.from(body, 'latin1');
  const header = Buffer.alloc(DVRIP_HEADER_LENGTH);
  header[0] = DVRIP_REPLY;
  header.writeUInt32LE(bytes.length, 4);
  return Buffer.concat([header, bytes]);
}
