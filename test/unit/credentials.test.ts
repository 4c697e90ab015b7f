/**
 * User-supplied secrets: ONVIF credentials (CAMSWEEP_CREDENTIALS, --credentials-file) and the SNMP
 * community (CAMSWEEP_SNMP_COMMUNITY, --snmp-community-file). Errors are one line with file:line and
 * never repeat a secret. The CLI refuses bad files with exit code 2 before it sends anything.
 * Addresses: 127.78.50.0/24 only (nothing here is contacted).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  credentialLookup,
  parseCredentialsEnv,
  parseCredentialsText,
  secretSettings,
} from '../../src/cli/credentials.ts';
import { CamsweepError } from '../../src/core/errors.ts';
import { runCli } from '../helpers/cli.ts';

const temp = mkdtempSync(join(tmpdir(), 'camsweep-credentials-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(temp, name);
  writeFileSync(path, text);
  return path;
}

function thrown(fn: () => unknown): CamsweepError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CamsweepError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

const GOOD = `# ONVIF accounts for the audit
- targets: [127.78.50.7]
  username: cam7
  password: "pw-for-seven"
- targets: [127.78.50.0/24, 127.78.51.10-127.78.51.20]
  username: site
  password: "pw-for-site"
- targets: ["127.78.50.0/28"]
  username: small
  password: "pw-for-small"
- targets: ["fd00:78::/64"]
  username: v6
  password: "pw-for-v6"
`;

describe('CAMSWEEP_CREDENTIALS=user:password', () => {
  it('splits at the first colon; the password may hold colons', () => {
    expect(parseCredentialsEnv('onvif:pa:ss:word')).toEqual({ username: 'onvif', password: 'pa:ss:word' });
  });

  it('refuses values without a user, a password or on several lines, without echoing them', () => {
    for (const bad of ['nocolon-s3cretvalue', ':s3cretvalue', 'user:', 'user:s3cret\nvalue']) {
      const err = thrown(() => parseCredentialsEnv(bad));
      expect(err.code).toBe('CONFIG');
      expect(err.message).toMatch(/^CAMSWEEP_CREDENTIALS: expected user:password/);
      expect(err.message).not.toContain('s3cret');
    }
  });
});

describe('credentials file: the most specific entry wins', () => {
  const lookup = credentialLookup(parseCredentialsText(GOOD, 'creds.yaml'), {
    username: 'env',
    password: 'pw-from-env',
  });

  it('a single address beats the /28, the /28 beats the /24', () => {
    expect(lookup('127.78.50.7')?.username).toBe('cam7');
    expect(lookup('127.78.50.8')?.username).toBe('small');
    expect(lookup('127.78.50.200')?.username).toBe('site');
  });

  it('ranges and IPv6 blocks match; IPv4-mapped IPv6 is the IPv4 host', () => {
    expect(lookup('127.78.51.15')?.username).toBe('site');
    expect(lookup('fd00:78::1')?.username).toBe('v6');
    expect(lookup('::ffff:127.78.50.7')?.username).toBe('cam7');
  });

  it('a host no entry covers gets the environment account, or none without one', () => {
    expect(lookup('127.78.52.1')).toEqual({ username: 'env', password: 'pw-from-env' });
    const fileOnly = credentialLookup(parseCredentialsText(GOOD, 'creds.yaml'));
    expect(fileOnly('127.78.52.1')).toBeUndefined();
    expect(fileOnly('not-an-address')).toBeUndefined();
  });

  it('equal sizes: the first entry in the file wins', () => {
    const text =
      '- {targets: [127.78.50.9], username: first, password: a}\n' +
      '- {targets: [127.78.50.9], username: second, password: b}\n';
    expect(credentialLookup(parseCredentialsText(text, 'x.yaml'))('127.78.50.9')?.username).toBe('first');
  });

  it('an empty file means no credentials', () => {
    expect(parseCredentialsText('# nothing yet\n', 'empty.yaml')).toEqual([]);
  });
});

describe('bad credentials files: one line, file:line, no secret', () => {
  const cases: [string, string, RegExp][] = [
    [
      'bad target',
      '- targets: [127.78.50.1]\n  username: a\n  password: "topsecret-1"\n- targets:\n    - 127.78.50.0/24\n    - 300.1.1.1\n  username: b\n  password: "topsecret-2"\n',
      /^bad\.yaml:6: "300\.1\.1\.1" is not an address, CIDR block or a-b range$/,
    ],
    [
      'host name',
      '- targets: [camera.example]\n  username: a\n  password: "topsecret-1"\n',
      /^bad\.yaml:1: "camera\.example": host names are not accepted here/,
    ],
    [
      'unknown key',
      '- targets: [127.78.50.1]\n  username: a\n  pasword: "topsecret-1"\n',
      /^bad\.yaml:3: 0: unknown key "pasword"$/,
    ],
    ['missing password', '- targets: [127.78.50.1]\n  username: a\n', /^bad\.yaml:1: 0: missing "password"$/],
    ['not a list', 'username: a\npassword: "topsecret-1"\n', /^bad\.yaml:1: file must be array$/],
    ['YAML syntax', '- targets: [127.78.50.1\n  password: "topsecret-1"\n', /^bad\.yaml:\d+: /],
  ];
  it.each(cases)('%s', (_name, text, message) => {
    const err = thrown(() => parseCredentialsText(text, 'bad.yaml'));
    expect(err.code).toBe('CONFIG');
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    expect(err.message).not.toContain('topsecret');
  });
});

describe('SNMP community: supplied or nothing', () => {
  const none = new Set<string>();
  const snmp = new Set(['snmp']);

  it('--enable snmp without a community is a usage error that says how to give one', () => {
    const err = thrown(() => secretSettings({}, snmp, {}));
    expect(err.code).toBe('USAGE');
    expect(err.message).toContain('CAMSWEEP_SNMP_COMMUNITY');
    expect(err.message).toContain('--snmp-community-file');
  });

  it('never defaults to "public"', () => {
    expect(secretSettings({}, none, {}).snmpCommunity).toBeUndefined();
  });

  it('from the environment, or the first non-empty line of a file (the file wins)', () => {
    expect(secretSettings({}, snmp, { CAMSWEEP_SNMP_COMMUNITY: 'from-env' }).snmpCommunity).toBe('from-env');
    const path = file('community.txt', '\n  from-file  \nsecond line\n');
    expect(
      secretSettings({ snmpCommunityFile: path }, snmp, { CAMSWEEP_SNMP_COMMUNITY: 'from-env' })
        .snmpCommunity,
    ).toBe('from-file');
    const empty = file('empty-community.txt', '\n\n');
    expect(thrown(() => secretSettings({ snmpCommunityFile: empty }, snmp, {})).message).toBe(
      `${empty}:1: no community string in the file`,
    );
  });

  it('credentials and the SNMP port pass through; a missing file is a config error', () => {
    const creds = file('good.yaml', GOOD);
    const s = secretSettings({ credentialsFile: creds, snmpPort: 20161 }, none, {
      CAMSWEEP_CREDENTIALS: 'env:pw-from-env',
    });
    expect(s.snmpPort).toBe(20161);
    expect(s.credentials?.('127.78.50.7')?.username).toBe('cam7');
    expect(s.credentials?.('127.78.59.1')?.username).toBe('env');
    const err = thrown(() => secretSettings({ credentialsFile: join(temp, 'absent.yaml') }, none, {}));
    expect(err.code).toBe('CONFIG');
    expect(err.message).toMatch(/absent\.yaml: cannot read credentials file \(ENOENT\)$/);
  });
});

describe('the CLI', () => {
  it('a bad credentials file: exit 2, one line naming file:line, no secret, nothing scanned', async () => {
    const bad = file(
      'bad.yaml',
      '- targets: [127.78.50.1]\n  username: a\n  password: "topsecret-1"\n  extra: 1\n',
    );
    const r = await runCli(['scan', '127.78.50.1', '--credentials-file', bad, '--format', 'jsonl']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`camsweep: ${bad}:4: 0: unknown key "extra"`]);
    expect(r.stderr + r.stdout).not.toContain('topsecret');
    expect(r.stdout).toBe('');
  }, 30_000);

  it('a malformed CAMSWEEP_CREDENTIALS: exit 2 without echoing it', async () => {
    const r = await runCli(['scan', '127.78.50.1', '--format', 'jsonl'], {
      env: { CAMSWEEP_CREDENTIALS: 'just-a-topsecret' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CAMSWEEP_CREDENTIALS: expected user:password');
    expect(r.stderr).not.toContain('topsecret');
  }, 30_000);

  it('--enable snmp without a community: exit 2, nothing scanned', async () => {
    const r = await runCli(['scan', '127.78.50.1', '--enable', 'snmp', '--format', 'jsonl'], {
      env: { CAMSWEEP_SNMP_COMMUNITY: '' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--enable snmp needs the community string');
    expect(r.stdout).toBe('');
  }, 30_000);
});
