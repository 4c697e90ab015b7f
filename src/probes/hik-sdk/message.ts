/**
 * What the Hikvision SDK-port probe sends: nothing (PROTOCOLS.md §4.6, issue #3 item 10).
 *
 * TCP 8000 is Hikvision's private "command" port (SADP CommandPort). Its protocol is not
 * published, and nmap's probes that make it answer (the 16-byte `00 00 00 10 …` reply of
 * nmap-service-probes, "Hikvision IPCam control port") are not documented as read-only or
 * unauthenticated, so we do not send them (rule 2). We connect, listen briefly, and record
 * whatever the device volunteers. Hikvision normally says nothing, and an open port alone is
 * not evidence of anything: the open port is already in tcp.open_port, and no fingerprint keys
 * on it.
 */
export { NO_REQUEST } from '../banner/message.ts';
/** Listening window after connect. */
export const SDK_WINDOW_MS = 1500;
export const SDK_IDLE_MS = 300;
/** Bytes kept; the banner observation shows at most SDK_BANNER_BYTES of them. */
export const SDK_MAX_BYTES = 1024;
