/**
 * What the RTSP probe sends (RFC 2326 §10.1, §10.2): OPTIONS and DESCRIBE of the server root,
 * each with its own CSeq, no credentials. Both are the first two requests every RTSP player
 * sends; neither starts a stream or changes anything on the device.
 */
import { USER_AGENT } from '../http/probe.ts';

export const OPTIONS_CSEQ = 1;
export const DESCRIBE_CSEQ = 2;

/** rtsp://host:port/ with IPv6 literals bracketed. */
export function rtspUrl(host: string, port: number): string {
  return `rtsp://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

export function buildOptions(host: string, port: number, cseq = OPTIONS_CSEQ): string {
  return `OPTIONS ${rtspUrl(host, port)} RTSP/1.0\r\nCSeq: ${cseq}\r\nUser-Agent: ${USER_AGENT}\r\n\r\n`;
}

export function buildDescribe(host: string, port: number, cseq = DESCRIBE_CSEQ): string {
  return (
    `DESCRIBE ${rtspUrl(host, port)} RTSP/1.0\r\nCSeq: ${cseq}\r\n` +
    `Accept: application/sdp\r\nUser-Agent: ${USER_AGENT}\r\n\r\n`
  );
}
