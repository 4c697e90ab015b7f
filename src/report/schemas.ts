import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_DIR } from '../core/paths.ts';

export type SchemaName = 'exchange' | 'observation' | 'event';

export function loadSchema(name: SchemaName): object {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')) as object;
}
