import { createReadStream } from 'node:fs';

/**
 * The longest JSONL line read: a recorded exchange holds at most a few hundred KiB (probes bound
 * every response), so 16 MiB is generous; a longer line is skipped with its number, never
 * assembled (a 600 MB line would pass V8's string limit and end the process).
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export type Line = { n: number; text: string } | { n: number; tooLong: true };

/** Streams a file's lines (LF or CRLF), bounded in length, without holding more than one line. */
export async function* readLines(path: string, maxBytes = MAX_LINE_BYTES): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let n = 0;
  const finish = (): Line => {
    n += 1;
    const line: Line = tooLong
      ? { n, tooLong: true }
      : { n, text: Buffer.concat(parts, size).toString('utf8').replace(/\r$/, '') };
    parts = [];
    size = 0;
    tooLong = false;
    return line;
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      take(chunk.subarray(start, nl));
      yield finish();
      start = nl + 1;
    }
    take(chunk.subarray(start));
  }
  if (size > 0 || tooLong) yield finish();

  function take(piece: Buffer): void {
    if (tooLong || piece.length === 0) return;
    if (size + piece.length > maxBytes) {
      tooLong = true;
      parts = [];
      size = 0;
      return;
    }
    parts.push(piece);
    size += piece.length;
  }
}
