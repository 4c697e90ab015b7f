import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Ajv } from 'ajv';
import type { Exchange } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import { loadSchema } from '../report/schemas.ts';

export type EvidenceLine = Exchange | Observation;

export interface ReadResult {
  lines: EvidenceLine[];
  /** `file:line: reason` for every line that failed the schema; they are skipped, not fatal. */
  rejected: string[];
}

const ajv = new Ajv({ strict: false });

/** Reads exchange and observation lines (`identify --from`); other event lines are ignored. */
export async function readEvidence(path: string): Promise<ReadResult> {
  const validateEx = ajv.compile(loadSchema('exchange'));
  const validateObs = ajv.compile(loadSchema('observation'));
  const lines: EvidenceLine[] = [];
  const rejected: string[] = [];
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const raw of rl) {
    n += 1;
    const text = raw.trim();
    if (!text) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      rejected.push(`${path}:${n}: not JSON`);
      continue;
    }
    const type = value && typeof value === 'object' && 'type' in value ? value.type : undefined;
    if (type === 'exchange') {
      if (validateEx(value)) lines.push(value as Exchange);
      else rejected.push(`${path}:${n}: ${ajv.errorsText(validateEx.errors)}`);
    } else if (type === 'observation') {
      if (validateObs(value)) lines.push(value as Observation);
      else rejected.push(`${path}:${n}: ${ajv.errorsText(validateObs.errors)}`);
    }
  }
  return { lines, rejected };
}
