import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Ajv } from 'ajv';
import type { Exchange } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import { loadSchema } from '../report/schemas.ts';

/**
 * Secrets never reach disk: HTTP Authorization headers, SOAP UsernameTokens and password fields
 * are replaced before an exchange is written.
 */
export function redact(text: string): string {
  return text
    .replace(/^((?:Proxy-)?Authorization:[ \t]*)(\S+)[^\r\n]*/gim, '$1$2 [redacted]')
    .replace(/(<(?:\w+:)?UsernameToken\b[^>]*>)[\s\S]*?(<\/(?:\w+:)?UsernameToken>)/g, '$1[redacted]$2')
    .replace(/(<(?:\w+:)?Password\b[^>]*>)[\s\S]*?(<\/(?:\w+:)?Password>)/g, '$1[redacted]$2')
    .replace(/("pass(?:word)?"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"[redacted]"');
}

export function redactExchange(ex: Exchange): Exchange {
  return ex.request === undefined ? ex : { ...ex, request: redact(ex.request) };
}

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
