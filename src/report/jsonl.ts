import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { CamsweepError } from '../core/errors.ts';
import type { SweepEvent } from './events.ts';

/**
 * Line-at-a-time JSONL with a synchronous write per line: whatever was found is on disk even if
 * the process is killed a moment later (rule 4).
 */
export class JsonlWriter {
  private fd: number | undefined;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    try {
      this.fd = path === '-' ? 1 : openSync(path, 'w');
    } catch (err) {
      const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : 'error';
      throw new CamsweepError('USAGE', `cannot write "${path}" (${code})`);
    }
  }

  write(value: unknown): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(value)}\n`);
  }

  close(): void {
    if (this.fd !== undefined && this.fd !== 1) closeSync(this.fd);
    this.fd = undefined;
  }
}

export function readEvents(path: string): SweepEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : 'error';
    throw new CamsweepError('BAD_FILE', `cannot read "${path}" (${code})`);
  }
  const out: SweepEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new CamsweepError('BAD_FILE', `${path}:${i + 1}: not a JSON line`);
    }
    const t = v && typeof v === 'object' && 'type' in v ? v.type : undefined;
    if (t === 'device' || t === 'finding' || t === 'summary' || t === 'probe-status')
      out.push(v as SweepEvent);
  });
  return out;
}

export function renderJsonl(events: readonly SweepEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
}
