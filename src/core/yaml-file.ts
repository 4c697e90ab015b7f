import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import { CamsweepError, type ErrorCode } from './errors.ts';

/** A YAML file kept with its line map, so every later complaint can say `file:line`. */
export interface YamlFile {
  path: string;
  data: unknown;
  /** 1-based line of the node at a JSON-pointer-like path (['fingerprints', 3, 'pattern']). */
  lineOf(path: readonly (string | number)[]): number;
}

/** `shown` is the path messages use (e.g. relative to the package), when it differs from `path`. */
export function readYamlFile(path: string, code: ErrorCode, shown = path): YamlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err && typeof err === 'object' && 'code' in err ? String(err.code) : 'unreadable';
    throw new CamsweepError(code, `${shown}: cannot read (${reason})`, { path });
  }
  return parseYamlText(text, shown, code);
}

export function parseYamlText(text: string, path: string, code: ErrorCode): YamlFile {
  const lineCounter = new LineCounter();
  // Aliases are refused outright: a YAML "billion laughs" must not expand in memory.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    // prettyErrors is off, so linePos is unset: take the line from the error's offset.
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    throw new CamsweepError(code, `${path}:${line}: ${first.message.split('\n')[0]}`, { path, line });
  }
  let aliasAt: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      aliasAt = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  if (aliasAt !== undefined) {
    const line = lineCounter.linePos(aliasAt).line;
    throw new CamsweepError(code, `${path}:${line}: YAML aliases (*name) are not allowed`, { path, line });
  }
  const data: unknown = doc.toJS({ maxAliasCount: 0 });
  const lineOf = (keys: readonly (string | number)[]): number => {
    let node: unknown = doc.contents;
    let best = 1;
    for (const key of keys) {
      const start = rangeStart(node);
      if (start !== undefined) best = lineCounter.linePos(start).line;
      if (isMap(node)) node = node.get(key, true);
      else if (isSeq(node)) node = node.get(Number(key), true);
      else break;
    }
    const start = rangeStart(node);
    return start !== undefined ? lineCounter.linePos(start).line : best;
  };
  return { path, data, lineOf };
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    if (range) return range[0];
  }
  return undefined;
}

// allErrors, so that a misspelt key is reported as such rather than as the key it stands for being missing.
const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<object, ValidateFunction>();

/** Validates against a JSON Schema; throws the first error as `file:line: message`. */
export function validateYaml(file: YamlFile, schema: object, code: ErrorCode): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(file.data)) return;
  const errors = validate.errors ?? [];
  const err = errors.find((e) => e.keyword === 'additionalProperties') ?? errors[0];
  if (!err) return;
  // An unknown key is reported on its own line, not on the line of the object that holds it.
  const keys = pointerKeys(err);
  if (err.keyword === 'additionalProperties') keys.push(String(err.params.additionalProperty));
  throw new CamsweepError(code, `${file.path}:${file.lineOf(keys)}: ${describeAjvError(err)}`, {
    path: file.path,
  });
}

function pointerKeys(err: ErrorObject): (string | number)[] {
  return err.instancePath
    .split('/')
    .slice(1)
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

function describeAjvError(err: ErrorObject): string {
  const where = err.instancePath ? err.instancePath.slice(1).replaceAll('/', '.') : 'file';
  if (err.keyword === 'additionalProperties') {
    return `${where}: unknown key "${String(err.params.additionalProperty)}"`;
  }
  if (err.keyword === 'required') return `${where}: missing "${String(err.params.missingProperty)}"`;
  if (err.keyword === 'enum') {
    return `${where}: must be one of ${(err.params.allowedValues as unknown[]).join(', ')}`;
  }
  return `${where} ${err.message ?? 'is invalid'}`;
}
