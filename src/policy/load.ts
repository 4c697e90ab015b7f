import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CamsweepError } from '../core/errors.ts';
import { FINGERPRINTS_DIR } from '../core/paths.ts';
import { readYamlFile, validateYaml } from '../core/yaml-file.ts';
import type { VendorRegistry } from '../fingerprints/vendors.ts';
import type { Policy, PolicyRule } from './schema.ts';

export const POLICIES_DIR = join(FINGERPRINTS_DIR, 'policies');
export const DEFAULT_POLICY = 'uk-nil-2022';

const schema = JSON.parse(
  readFileSync(join(FINGERPRINTS_DIR, 'schema', 'policy.schema.json'), 'utf8'),
) as object;

/** `name` is a built-in policy id or a path to a YAML file. */
export function loadPolicy(name: string, vendors: VendorRegistry): Policy {
  const builtIn = join(POLICIES_DIR, `${name}.yaml`);
  const isPath = name.includes('/') || name.endsWith('.yaml') || name.endsWith('.yml');
  const path = isPath ? name : builtIn;
  if (!isPath && !existsSync(builtIn)) {
    const builtIns = readdirSync(POLICIES_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''))
      .sort();
    throw new CamsweepError('POLICY', `unknown policy "${name}" (built-in: ${builtIns.join(', ')})`);
  }
  const file = readYamlFile(path, 'POLICY');
  validateYaml(file, schema, 'POLICY');
  const raw = file.data as Omit<Policy, 'path' | 'rules'> & {
    rules: (Omit<PolicyRule, 'includeSubsidiaries' | 'includeOem' | 'references'> & Partial<PolicyRule>)[];
  };
  const rules = raw.rules.map((r, i): PolicyRule => {
    r.makers.forEach((m, mi) => {
      if (!vendors.get(m)) {
        const line = file.lineOf(['rules', i, 'makers', mi]);
        throw new CamsweepError(
          'POLICY',
          `${path}:${line}: unknown maker "${m}" (not in fingerprints/vendors.yaml)`,
        );
      }
    });
    return {
      ...r,
      includeSubsidiaries: r.includeSubsidiaries ?? true,
      includeOem: r.includeOem ?? true,
      references: r.references ?? [],
    };
  });
  return { ...raw, rules, path };
}
