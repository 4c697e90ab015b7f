/**
 * Pure parsers of volunteered banners (telnet, FTP). Never throw; bounded output: at most
 * MAX_LINES observations per exchange, each at most MAX_LINE_CHARS characters.
 */
import { isUtf8 } from 'node:buffer';
import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationMaker } from '../../core/observation.ts';
import type { BannerField } from './fields.ts';

/** The fields this parser may produce. */
type FieldName = BannerField;

export const MAX_LINES = 8;
export const MAX_LINE_CHARS = 256;

const IAC = 255;
const SB = 250;
const SE = 240;

/**
 * Removes telnet command sequences (RFC 854/855): IAC WILL/WONT/DO/DONT <opt>, IAC SB … IAC SE,
 * two-byte IAC commands; IAC IAC is a literal 255. A sequence cut off at the end is dropped.
 */
export function stripTelnet(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b !== IAC) {
      out[n++] = b;
      i++;
      continue;
    }
    const cmd = bytes[i + 1];
    if (cmd === undefined) break;
    if (cmd === IAC) {
      out[n++] = IAC;
      i += 2;
    } else if (cmd >= 251 && cmd <= 254) {
      i += 3;
    } else if (cmd === SB) {
      // Skip to IAC SE (or the end, for a truncated subnegotiation).
      let j = i + 2;
      while (j < bytes.length && !(bytes[j] === IAC && bytes[j + 1] === SE)) j++;
      i = j + 2;
    } else {
      i += 2;
    }
  }
  return out.subarray(0, n);
}

/** Printable lines of a banner: decoded, control characters dropped, trimmed, capped. */
export function bannerLines(bytes: Buffer): string[] {
  const head = bytes.subarray(0, MAX_LINES * MAX_LINE_CHARS * 4);
  const text = isUtf8(head) ? head.toString('utf8') : head.toString('latin1');
  const lines: string[] = [];
  for (const raw of text.split(/\r\n|\r|\n/)) {
    if (lines.length >= MAX_LINES) break;
    // C0 controls, DEL and C1 controls go; tabs become spaces.
    const line = raw
      .replace(/\t/g, ' ')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
      .trim();
    if (line.length === 0) continue;
    lines.push(Array.from(line).slice(0, MAX_LINE_CHARS).join(''));
  }
  return lines;
}

/** An FTP greeting starts with a reply code (RFC 959 §4.2), normally 220 (or 421/120). */
export function looksLikeFtp(lines: readonly string[]): boolean {
  return /^[1-5]\d\d(?:[ -]|$)/.test(lines[0] ?? '');
}

function lineObservations(ex: Exchange, field: FieldName, lines: readonly string[]): Observation[] {
  const obs = observationMaker(ex);
  return lines.flatMap((line) => obs(field, line));
}

/** Pure: a recorded telnet exchange → telnet.banner, one per line. */
export function observeTelnet(ex: Exchange): Observation[] {
  return lineObservations(ex, 'telnet.banner', bannerLines(stripTelnet(responseBytes(ex))));
}

/** Pure: a recorded FTP exchange → ftp.banner, one per line; nothing when it is not an FTP greeting. */
export function observeFtp(ex: Exchange): Observation[] {
  const lines = bannerLines(responseBytes(ex));
  return looksLikeFtp(lines) ? lineObservations(ex, 'ftp.banner', lines) : [];
}
