import { Ajv } from 'ajv';
import type { Exchange } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import { loadSchema } from '../report/schemas.ts';
import { MAX_LINE_BYTES, readLines } from './lines.ts';

export type EvidenceLine = Exchange | Observation;

export interface ReadResult {
  lines: EvidenceLine[];
  /** `file:line: reason` for every line that failed the schema; they are skipped, not fatal. */
  rejected: string[];
}

const ajv = new Ajv({ strict: false });

export interface ReadOptions {
  /** Called with each valid line as it is read; when given, lines are not kept in `lines`. */
  onLine?: (line: EvidenceLine) => void;
}

/**
 * Reads exchange and observation lines (`identify --from`), streaming and bounded per line; other
 * event lines are ignored. A bad line is skipped with `file:line: reason`, never fatal.
 */
export async function readEvidence(
  path: string,
  opts: ReadOptions = {},
): Promise<ReadResult & { count: number }> {
  const validateEx = ajv.compile(loadSchema('exchange'));
  const validateObs = ajv.compile(loadSchema('observation'));
  const lines: EvidenceLine[] = [];
  const rejected: string[] = [];
  let count = 0;
  const accept = (line: EvidenceLine) => {
    count += 1;
    if (opts.onLine) opts.onLine(line);
    else lines.push(line);
  };
  for await (const line of readLines(path)) {
    if ('tooLong' in line) {
      rejected.push(`${path}:${line.n}: line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB`);
      continue;
    }
    const text = line.text.trim();
    if (!text) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      rejected.push(`${path}:${line.n}: not JSON`);
      continue;
    }
    const type = value && typeof value === 'object' && 'type' in value ? value.type : undefined;
    if (type === 'exchange') {
      if (validateEx(value)) accept(value as Exchange);
      else rejected.push(`${path}:${line.n}: ${ajv.errorsText(validateEx.errors)}`);
    } else if (type === 'observation') {
      if (validateObs(value)) accept(value as Observation);
      else rejected.push(`${path}:${line.n}: ${ajv.errorsText(validateObs.errors)}`);
    }
  }
  return { lines, rejected, count };
}
