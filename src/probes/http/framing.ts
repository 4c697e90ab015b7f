/**
 * When an HTTP or RTSP response is whole: the stop rule the probes hand to the transport
 * (transport/stop-when.ts). Framing only: it looks at the status line, Content-Length and
 * Transfer-Encoding, nothing else; probes/http/parse.ts reads the response afterwards.
 * HTTP, ONVIF, UPnP and RTSP all dial with it.
 */
import { byteBudget, type StopRule, type StopWhen } from '../../transport/stop-when.ts';
import { STATUS_LINE } from './parse.ts';

/** Body bytes kept after the head when the caller does not say otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Head bytes allowed on top of the body cap; a head that never ends still stops here. */
const MAX_HEAD_BYTES = 16 * 1024;
/** A chunk-size line longer than this is not chunked framing, whatever the header says. */
const MAX_CHUNK_LINE = 1024;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Reads one HTTP/RTSP response: complete when its framing is satisfied (Content-Length, the last
 * chunk, no body for HEAD/204/304 or a length-less RTSP head), or when the peer closes a response
 * that has no length. `maxBodyBytes` bytes are kept after the head (default 64 KiB).
 */
export function responseComplete(opts: { maxBodyBytes?: number } = {}): StopRule {
  const maxBody = byteBudget(opts.maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
  return (request) => new ResponseFraming(maxBody, isHeadRequest(request));
}

type Framing =
  | { kind: 'length'; end: number }
  | { kind: 'chunked'; pos: number }
  /** Read to FIN. `proper` when that is the response's real framing (HTTP with no length). */
  | { kind: 'close'; proper: boolean }
  | { kind: 'none' };

class ResponseFraming implements StopWhen {
  private headStart = -1;
  private headEnd = -1;
  private headSearchFrom = 0;
  private framing: Framing | undefined;

  constructor(
    private readonly maxBody: number,
    private readonly headRequest: boolean,
  ) {}

  cap(): number {
    const head = this.headEnd >= 0 ? Math.min(this.headEnd, MAX_HEAD_BYTES) : MAX_HEAD_BYTES;
    return head + this.maxBody;
  }

  check(received: Buffer): 'complete' | 'more' {
    if (this.headEnd < 0) {
      const end = this.findHead(received);
      if (end < 0) return 'more';
      this.headEnd = end;
      this.framing = decideFraming(received.toString('latin1', this.headStart, end), end, this.headRequest);
    }
    // Judged on what the reader keeps: the cap has just shrunk to the head plus the body cap.
    const kept = received.subarray(0, Math.min(received.length, this.cap()));
    return this.isComplete(kept) ? 'complete' : 'more';
  }

  onClose(): 'complete' | 'peer-closed' {
    return this.framing?.kind === 'close' && this.framing.proper ? 'complete' : 'peer-closed';
  }

  /**
   * Finds the blank line ending the head: LF LF or LF CR LF, so bare-LF devices work too.
   * Returns the offset just past it, or -1 while it has not arrived.
   */
  private findHead(buf: Buffer): number {
    if (this.headStart < 0) {
      // Stray line ends before the status line are skipped, not taken as an empty head.
      let i = 0;
      while (i < buf.length && (buf[i] === CR || buf[i] === LF)) i++;
      if (i === buf.length) return -1;
      this.headStart = i;
      this.headSearchFrom = i;
    }
    let i = this.headSearchFrom;
    while (i < buf.length) {
      const lf = buf.indexOf(LF, i);
      if (lf < 0) {
        this.headSearchFrom = buf.length;
        return -1;
      }
      if (lf + 1 >= buf.length) break;
      if (buf[lf + 1] === LF) return lf + 2;
      if (buf[lf + 1] === CR) {
        if (lf + 2 >= buf.length) break;
        if (buf[lf + 2] === LF) return lf + 3;
      }
      i = lf + 1;
    }
    // Resume at the LF we could not judge yet.
    this.headSearchFrom = Math.max(this.headStart, i);
    return -1;
  }

  private isComplete(kept: Buffer): boolean {
    const framing = this.framing;
    if (!framing) return false;
    switch (framing.kind) {
      case 'none':
        return true;
      case 'length':
        return kept.length >= framing.end;
      case 'close':
        return false;
      case 'chunked':
        return this.scanChunks(kept, framing);
    }
  }

  /** Walks chunk headers from where the last call stopped; true once the last chunk and trailers are in. */
  private scanChunks(buf: Buffer, framing: { kind: 'chunked'; pos: number }): boolean {
    for (;;) {
      const lf = buf.indexOf(LF, framing.pos);
      if (lf < 0) {
        if (buf.length - framing.pos > MAX_CHUNK_LINE) this.framing = { kind: 'close', proper: false };
        return false;
      }
      const size = chunkSize(buf.toString('latin1', framing.pos, lf));
      if (size === undefined) {
        // Not chunked after all (bad_chunk): stop interpreting and read until the peer closes.
        this.framing = { kind: 'close', proper: false };
        return false;
      }
      if (size === 0) return trailersEnd(buf, lf + 1);
      const dataEnd = lf + 1 + size;
      if (dataEnd >= buf.length) return false;
      const next = chunkEnd(buf, dataEnd);
      if (next === 'short') return false;
      if (next === 'bad') {
        this.framing = { kind: 'close', proper: false };
        return false;
      }
      framing.pos = next;
    }
  }
}

/** The offset after the line end closing a chunk's data, or why there is none yet. */
function chunkEnd(buf: Buffer, dataEnd: number): number | 'short' | 'bad' {
  if (buf[dataEnd] === LF) return dataEnd + 1;
  if (buf[dataEnd] !== CR) return 'bad';
  if (dataEnd + 1 >= buf.length) return 'short';
  return buf[dataEnd + 1] === LF ? dataEnd + 2 : 'bad';
}

/** After the last chunk: trailer lines, then an empty line. */
function trailersEnd(buf: Buffer, from: number): boolean {
  let pos = from;
  for (;;) {
    const lf = buf.indexOf(LF, pos);
    if (lf < 0) return false;
    const empty = lf === pos || (lf === pos + 1 && buf[pos] === CR);
    if (empty) return true;
    pos = lf + 1;
  }
}

function chunkSize(line: string): number | undefined {
  const token = (line.split(';', 1)[0] ?? '').trim();
  if (!/^[0-9a-fA-F]{1,12}$/.test(token)) return undefined;
  return Number.parseInt(token, 16);
}

function isHeadRequest(payload: Buffer): boolean {
  return payload.subarray(0, 5).toString('latin1').toUpperCase() === 'HEAD ';
}

/**
 * Framing from a head, as lenient as the parser: header names are trimmed, so
 * `Content-Length : 5` counts. Conflicting lengths are not guessed: we read to FIN instead.
 */
function decideFraming(head: string, headEnd: number, headRequest: boolean): Framing {
  const lines = head.split('\n');
  const status = STATUS_LINE.exec((lines[0] ?? '').replace(/\r$/, ''));
  if (!status) return { kind: 'close', proper: false };
  const rtsp = (status[1] ?? '').toUpperCase() === 'RTSP';
  const code = Number(status[3]);
  // 1xx is followed by the real response; we keep reading and let idle or FIN end it.
  if (code < 200) return { kind: 'close', proper: false };
  if (headRequest || code === 204 || code === 304) return { kind: 'none' };

  const lengths = new Set<string>();
  let chunked = false;
  for (const raw of lines.slice(1)) {
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    const name = raw.slice(0, colon).trim().toLowerCase();
    const value = raw.slice(colon + 1).trim();
    if (name === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
    else if (name === 'content-length') for (const part of value.split(',')) lengths.add(part.trim());
  }
  // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3).
  if (chunked) return { kind: 'chunked', pos: headEnd };
  if (lengths.size === 1) {
    const [only = ''] = lengths;
    if (/^\d{1,15}$/.test(only)) return { kind: 'length', end: headEnd + Number(only) };
  }
  if (lengths.size > 0) return { kind: 'close', proper: false };
  // RTSP without Content-Length has no body (RFC 2326 §12.14), and RTSP servers keep the
  // connection open, so waiting for FIN would only end at the deadline.
  if (rtsp) return { kind: 'none' };
  return { kind: 'close', proper: true };
}
