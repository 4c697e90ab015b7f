/**
 * Secrets the user supplies for opt-in, credentialed probes: ONVIF credentials and the SNMP
 * community. They come from the environment or from files, never from argv (a value on the command
 * line is visible to every user through `ps`). Error messages name the file and line, never a secret.
 *
 * - `CAMSWEEP_CREDENTIALS=user:password`: one ONVIF account for every target (split at the first
 *   colon, so the user name cannot hold one; the password may).
 * - `--credentials-file FILE`: YAML, a list of entries; the most specific matching entry wins (the
 *   smallest block containing the host; equal sizes: the first in the file), then the environment:
 *
 *       - targets: [10.20.0.7]                       # one camera with its own account
 *         username: onvif-audit
 *         password: "s3cret-7"
 *       - targets: [10.20.0.0/24, 10.20.1.10-10.20.1.20]
 *         username: onvif-audit
 *         password: "s3cret"
 *
 * - SNMP: `CAMSWEEP_SNMP_COMMUNITY=…` or `--snmp-community-file FILE` (its first non-empty line).
 *   Never guessed, no default: `--enable snmp` without one is a usage error.
 */
import { readFileSync, statSync } from 'node:fs';
import { CamsweepError } from '../core/errors.ts';
import { normaliseAddress } from '../core/ip.ts';
import { parseYamlText, validateYaml } from '../core/yaml-file.ts';
import { parseTargetToken } from '../engine/targets.ts';
import type { ProbeSettings } from '../probes/types.ts';

export interface Credentials {
  username: string;
  password: string;
}

export const CREDENTIALS_ENV = 'CAMSWEEP_CREDENTIALS';
export const SNMP_COMMUNITY_ENV = 'CAMSWEEP_SNMP_COMMUNITY';
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_ENTRIES = 10_000;

const fileSchema = {
  type: 'array',
  maxItems: MAX_ENTRIES,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['targets', 'username', 'password'],
    properties: {
      targets: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      username: { type: 'string', minLength: 1, maxLength: 256 },
      password: { type: 'string', minLength: 1, maxLength: 1024 },
    },
  },
};

interface Entry {
  ranges: { family: 4 | 6; start: bigint; end: bigint }[];
  credentials: Credentials;
}

/** `user:password` (CAMSWEEP_CREDENTIALS). The message never repeats the value. */
export function parseCredentialsEnv(value: string): Credentials {
  const at = value.indexOf(':');
  const username = at > 0 ? value.slice(0, at) : '';
  const password = at > 0 ? value.slice(at + 1) : '';
  if (!username || !password || /[\r\n]/.test(value)) {
    throw new CamsweepError(
      'CONFIG',
      `${CREDENTIALS_ENV}: expected user:password (one line, both non-empty)`,
    );
  }
  return { username, password };
}

function readSmallFile(path: string, what: string): string {
  try {
    if (statSync(path).size > MAX_FILE_BYTES) {
      throw new CamsweepError('CONFIG', `${path}: ${what} larger than ${MAX_FILE_BYTES} bytes`);
    }
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof CamsweepError) throw err;
    const reason = err && typeof err === 'object' && 'code' in err ? String(err.code) : 'unreadable';
    throw new CamsweepError('CONFIG', `${path}: cannot read ${what} (${reason})`);
  }
}

/** Parses a credentials file's text; errors are one line, `file:line: reason`. */
export function parseCredentialsText(text: string, path: string): Entry[] {
  const file = parseYamlText(text, path, 'CONFIG');
  if (file.data === null || file.data === undefined) return [];
  validateYaml(file, fileSchema, 'CONFIG');
  const raw = file.data as { targets: string[]; username: string; password: string }[];
  return raw.map((e, i) => ({
    credentials: { username: e.username, password: e.password },
    ranges: e.targets.map((token, j) => {
      const where = `${path}:${file.lineOf([i, 'targets', j])}`;
      let spec: ReturnType<typeof parseTargetToken>;
      try {
        spec = parseTargetToken(token.trim(), where);
      } catch {
        throw new CamsweepError(
          'CONFIG',
          `${where}: ${JSON.stringify(token.slice(0, 80))} is not an address, CIDR block or a-b range`,
        );
      }
      if (spec.kind !== 'range') {
        throw new CamsweepError(
          'CONFIG',
          `${where}: ${JSON.stringify(token.slice(0, 80))}: host names are not accepted here, give addresses`,
        );
      }
      return { family: spec.family, start: spec.start, end: spec.end };
    }),
  }));
}

/** Pure: the lookup a probe calls. The most specific matching entry wins, then the fallback. */
export function credentialLookup(
  entries: readonly Entry[],
  fallback?: Credentials,
): (host: string) => Credentials | undefined {
  return (host) => {
    const address = normaliseAddress(host);
    let best: { size: bigint; credentials: Credentials } | undefined;
    if (address) {
      for (const e of entries) {
        for (const r of e.ranges) {
          if (r.family !== address.family || address.value < r.start || address.value > r.end) continue;
          const size = r.end - r.start;
          if (!best || size < best.size) best = { size, credentials: e.credentials };
        }
      }
    }
    return best?.credentials ?? fallback;
  };
}

export interface SecretOptions {
  credentialsFile?: string;
  snmpCommunityFile?: string;
  snmpPort?: number;
}

/**
 * The secret part of the probe settings, from the environment and the files the options name.
 * `enabled` is the set of opt-in probes the user switched on (SNMP needs a community).
 */
export function secretSettings(
  opts: SecretOptions,
  enabled: ReadonlySet<string>,
  env: NodeJS.ProcessEnv = process.env,
): Pick<ProbeSettings, 'credentials' | 'snmpCommunity' | 'snmpPort'> {
  const out: Pick<ProbeSettings, 'credentials' | 'snmpCommunity' | 'snmpPort'> = {};
  const fromEnv = env[CREDENTIALS_ENV] ? parseCredentialsEnv(env[CREDENTIALS_ENV]) : undefined;
  const entries = opts.credentialsFile
    ? parseCredentialsText(readSmallFile(opts.credentialsFile, 'credentials file'), opts.credentialsFile)
    : [];
  if (fromEnv || entries.length > 0) out.credentials = credentialLookup(entries, fromEnv);

  let community = env[SNMP_COMMUNITY_ENV] || undefined;
  if (opts.snmpCommunityFile) {
    const text = readSmallFile(opts.snmpCommunityFile, 'community file');
    community = text
      .split(/\r?\n/)
      .find((l) => l.trim() !== '')
      ?.trim();
    if (!community)
      throw new CamsweepError('CONFIG', `${opts.snmpCommunityFile}:1: no community string in the file`);
  }
  if (community !== undefined && community.length > 255) {
    throw new CamsweepError('CONFIG', `${SNMP_COMMUNITY_ENV}: a community is 1 to 255 characters`);
  }
  if (enabled.has('snmp') && !community) {
    throw new CamsweepError(
      'USAGE',
      `--enable snmp needs the community string: set ${SNMP_COMMUNITY_ENV} or pass --snmp-community-file FILE (it is never guessed)`,
    );
  }
  if (community) out.snmpCommunity = community;
  if (opts.snmpPort !== undefined) out.snmpPort = opts.snmpPort;
  return out;
}
