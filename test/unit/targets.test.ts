import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CamsweepError, type ErrorCode } from '../../src/core/errors.ts';
import { bigIntToIp, ipToBigInt } from '../../src/core/ip.ts';
import { buildTargetSet, parseTargetToken, type TargetSetOptions } from '../../src/engine/targets.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camsweep-targets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Resolver double: tests never touch real DNS. */
function fakeResolver(table: Record<string, string[]>): (name: string) => Promise<string[]> {
  return async (name) => {
    const found = table[name];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return found;
  };
}

async function caught(fn: () => unknown): Promise<CamsweepError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CamsweepError);
    return err as CamsweepError;
  }
  throw new Error('expected a CamsweepError, got none');
}

async function expectFailure(fn: () => unknown, code: ErrorCode, message: string): Promise<void> {
  const err = await caught(fn);
  expect(err.code).toBe(code);
  expect(err.message).toBe(message);
  expect(err.message).not.toContain('\n');
}

function take(gen: Generator<string>, n: number): string[] {
  const out: string[] = [];
  for (const a of gen) {
    out.push(a);
    if (out.length === n) break;
  }
  return out;
}

const build = (opts: TargetSetOptions) => buildTargetSet({ resolve: fakeResolver({}), ...opts });

describe('bad target tokens', () => {
  it.each([
    ['300.1.1.1', 'not a valid IPv4 address'],
    ['1.2.3', 'not a valid IPv4 address'],
    ['10.0.0.0/33', 'prefix length 33 is over 32'],
    ['fe80::/129', 'prefix length 129 is over 128'],
    ['10.0.0.5-10.0.0.1', 'range start 10.0.0.5 is after its end 10.0.0.1'],
    ['1.2.3/24', '1.2.3 is not a valid IPv4 address'],
    ['10.0.0.0/x', 'prefix length "x" is not a number'],
    ['10.0.0.1-2001:db8::1', 'range mixes IPv4 and IPv6'],
    ['10.0.0.1-10.0.0', '10.0.0 is not a valid IPv4 address'],
    ['gggg::1', 'not a valid IPv6 address'],
    ['fe80::1%eth0', 'has a zone id; targets cannot carry one'],
    ['under_score.example', 'not an IP address, CIDR block, a-b range or host name'],
  ])('%s is refused with a one-line reason', async (token, why) => {
    await expectFailure(
      () => parseTargetToken(token, 'command line'),
      'BAD_TARGET',
      `bad target "${token}" (command line): ${why}`,
    );
    // buildTargetSet reports the same error before any resolving.
    await expectFailure(
      () => build({ targets: [token] }),
      'BAD_TARGET',
      `bad target "${token}" (command line): ${why}`,
    );
  });

  it('names the file and line of a bad token in an @file', async () => {
    const path = await file('bad-line.txt', '# cameras\n10.0.0.1\n300.1.1.1\n');
    await expectFailure(
      () => build({ targets: [`@${path}`] }),
      'BAD_TARGET',
      `bad target "300.1.1.1" (${path}:3): not a valid IPv4 address`,
    );
  });

  it('refuses a missing @file', async () => {
    const path = join(dir, 'does-not-exist.txt');
    await expectFailure(
      () => build({ targets: [`@${path}`] }),
      'BAD_FILE',
      `bad target file "@${path}" (command line): cannot read: no such file`,
    );
  });

  it('refuses an @file with only comments and blank lines', async () => {
    const path = await file('empty.txt', '# nothing here yet\n\n   \n');
    await expectFailure(
      () => build({ targets: [`@${path}`] }),
      'BAD_FILE',
      `bad target file "@${path}" (command line): no tokens in the file`,
    );
  });

  it('refuses a file that includes another file', async () => {
    const path = await file('nested.txt', '10.0.0.1\n@other.txt\n');
    await expectFailure(
      () => build({ targets: [`@${path}`] }),
      'BAD_TARGET',
      `bad target "@other.txt" (${path}:2): a list file cannot include another file`,
    );
  });

  it('refuses a missing or empty exclude file and bad exclude tokens', async () => {
    const missing = join(dir, 'no-excludes.txt');
    await expectFailure(
      () => build({ targets: ['10.0.0.0/24'], excludeFiles: [missing] }),
      'BAD_FILE',
      `bad exclude file "${missing}" (command line): cannot read: no such file`,
    );
    const empty = await file('empty-excludes.txt', '\n# none\n');
    await expectFailure(
      () => build({ targets: ['10.0.0.0/24'], excludeFiles: [empty] }),
      'BAD_FILE',
      `bad exclude file "${empty}" (command line): no tokens in the file`,
    );
    const bad = await file('bad-excludes.txt', '10.0.0.1\n\n10.0.0.0/40\n');
    await expectFailure(
      () => build({ targets: ['10.0.0.0/24'], excludeFiles: [bad] }),
      'BAD_TARGET',
      `bad exclude "10.0.0.0/40" (${bad}:3): prefix length 40 is over 32`,
    );
    await expectFailure(
      () => build({ targets: ['10.0.0.0/24'], exclude: ['1.2.3'] }),
      'BAD_TARGET',
      'bad exclude "1.2.3" (command line): not a valid IPv4 address',
    );
  });

  it('refuses a host name that does not resolve, naming its origin', async () => {
    await expectFailure(
      () => build({ targets: ['nosuch.invalid'] }),
      'BAD_TARGET',
      'bad target "nosuch.invalid" (command line): cannot resolve',
    );
    const path = await file('names.txt', 'cam1.example.test\n\nnosuch.invalid\n');
    await expectFailure(
      () => build({ targets: [`@${path}`], resolve: fakeResolver({ 'cam1.example.test': ['10.1.1.1'] }) }),
      'BAD_TARGET',
      `bad target "nosuch.invalid" (${path}:3): cannot resolve`,
    );
    // A resolver that answers with nothing usable is a failure too, not an empty target.
    await expectFailure(
      () => build({ targets: ['empty.example.test'], resolve: fakeResolver({ 'empty.example.test': [] }) }),
      'BAD_TARGET',
      'bad target "empty.example.test" (command line): cannot resolve',
    );
  });

  it('refuses an empty target list', async () => {
    await expectFailure(() => build({ targets: [] }), 'BAD_TARGET', 'no targets given');
  });
});

describe('large blocks', () => {
  it('needs allowLarge for more than an IPv4 /16', async () => {
    await expectFailure(
      () => build({ targets: ['10.0.0.0/8'] }),
      'BAD_TARGET',
      'target "10.0.0.0/8" (command line) has 16777216 addresses; more than a /16 needs --allow-large',
    );
    await expectFailure(
      () => build({ targets: ['10.0.0.0-10.1.0.0'] }),
      'BAD_TARGET',
      'target "10.0.0.0-10.1.0.0" (command line) has 65537 addresses; more than a /16 needs --allow-large',
    );
    const sixteen = await build({ targets: ['10.0.0.0/16'] });
    expect(sixteen.count()).toBe(65_534n);
  });

  it('needs allowLarge for more than an IPv6 /112', async () => {
    await expectFailure(
      () => build({ targets: ['2001:db8::/64'] }),
      'BAD_TARGET',
      'target "2001:db8::/64" (command line) has 18446744073709551616 addresses; more than a /112 needs --allow-large',
    );
    expect((await build({ targets: ['2001:db8::/112'] })).count()).toBe(65_536n);
  });

  it('expands a /8 lazily: the first addresses and the count come at once', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const set = await build({ targets: ['10.0.0.0/8'], allowLarge: true });
    expect(take(set.addresses(), 5)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']);
    expect(set.count()).toBe(16_777_214n);
    expect(set.contains('10.200.3.4')).toBe(true);
    // 16M address strings would take seconds and hundreds of MB; the lazy path takes neither.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024);
  });

  it('counts an IPv6 /64 exactly and starts at its first address', async () => {
    const set = await build({ targets: ['2001:DB8:0:0::/64'], allowLarge: true });
    expect(set.count()).toBe(2n ** 64n);
    expect(take(set.addresses(), 3)).toEqual(['2001:db8::', '2001:db8::1', '2001:db8::2']);
    expect(set.contains('2001:db8::ffff:ffff:ffff:ffff')).toBe(true);
    expect(set.contains('2001:db8:0:1::')).toBe(false);
  });
});

describe('blocks, ranges and addresses', () => {
  it('skips network and broadcast in IPv4 blocks of /30 and shorter', async () => {
    const set = await build({ targets: ['192.0.2.0/24'] });
    const all = [...set.addresses()];
    expect(all).toHaveLength(254);
    expect(set.count()).toBe(254n);
    expect(all[0]).toBe('192.0.2.1');
    expect(all.at(-1)).toBe('192.0.2.254');
    expect(set.contains('192.0.2.0')).toBe(false);
    expect(set.contains('192.0.2.255')).toBe(false);

    expect([...(await build({ targets: ['192.0.2.4/30'] })).addresses()]).toEqual(['192.0.2.5', '192.0.2.6']);
    expect([...(await build({ targets: ['192.0.2.4/31'] })).addresses()]).toEqual(['192.0.2.4', '192.0.2.5']);
    expect([...(await build({ targets: ['192.0.2.4/32'] })).addresses()]).toEqual(['192.0.2.4']);
    expect([...(await build({ targets: ['2001:db8::/126'] })).addresses()]).toEqual([
      '2001:db8::',
      '2001:db8::1',
      '2001:db8::2',
      '2001:db8::3',
    ]);
  });

  it('keeps network and broadcast with includeNetworkBroadcast', async () => {
    const set = await build({ targets: ['192.0.2.0/24'], includeNetworkBroadcast: true });
    expect(set.count()).toBe(256n);
    expect(take(set.addresses(), 1)).toEqual(['192.0.2.0']);
    expect(set.contains('192.0.2.255')).toBe(true);
  });

  it('treats a block with host bits set as its network', async () => {
    const spec = parseTargetToken('10.0.0.5/24', 'command line');
    expect(spec).toMatchObject({ kind: 'range', family: 4, token: '10.0.0.5/24', origin: 'command line' });
    if (spec.kind !== 'range') throw new Error('expected a range');
    expect(bigIntToIp(spec.start, 4)).toBe('10.0.0.0');
    expect(bigIntToIp(spec.end, 4)).toBe('10.0.0.255');
    const set = await build({ targets: ['10.0.0.5/24'] });
    expect(take(set.addresses(), 1)).toEqual(['10.0.0.1']);
    expect(set.count()).toBe(254n);
  });

  it('expands a-b ranges inclusively, across octet boundaries, without skipping ends', async () => {
    const set = await build({ targets: ['10.0.0.254-10.0.1.1'] });
    expect([...set.addresses()]).toEqual(['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
    const v6 = await build({ targets: ['2001:db8::fffe-2001:db8::1:1'] });
    expect([...v6.addresses()]).toEqual([
      '2001:db8::fffe',
      '2001:db8::ffff',
      '2001:db8::1:0',
      '2001:db8::1:1',
    ]);
  });

  it('prints IPv6 in compressed lower-case and IPv4-mapped targets as IPv4', async () => {
    const set = await build({ targets: ['2001:DB8:0:0:1:0:0:1', '::ffff:192.0.2.9'] });
    expect([...set.addresses()]).toEqual(['2001:db8::1:0:0:1', '192.0.2.9']);
  });

  it('round-trips addresses through bigint and refuses inet_aton short forms', () => {
    expect(ipToBigInt('10.0.0.1')).toEqual({ family: 4, value: 0x0a000001n });
    expect(ipToBigInt('::1')).toEqual({ family: 6, value: 1n });
    expect(bigIntToIp(0xffffffffn, 4)).toBe('255.255.255.255');
    expect(bigIntToIp(0n, 6)).toBe('::');
    expect(bigIntToIp(ipToBigInt('2001:0:0:1:0:0:0:1').value, 6)).toBe('2001:0:0:1::1');
    expect(bigIntToIp(ipToBigInt('1:2:3:4:5:6:7:8').value, 6)).toBe('1:2:3:4:5:6:7:8');
    expect(() => ipToBigInt('1.2.3')).toThrow(CamsweepError);
    expect(() => bigIntToIp(1n << 32n, 4)).toThrow(CamsweepError);
  });

  it('accepts comma-separated targets on the command line', async () => {
    const set = await build({ targets: ['192.0.2.1,192.0.2.3'] });
    expect([...set.addresses()]).toEqual(['192.0.2.1', '192.0.2.3']);
  });
});

describe('exclusions', () => {
  it('removes single addresses, blocks and ranges from iteration, count and contains', async () => {
    const set = await build({
      targets: ['10.0.0.0/28'],
      exclude: ['10.0.0.2', '10.0.0.4/31', '10.0.0.10-10.0.0.20'],
    });
    const all = [...set.addresses()];
    expect(all).toEqual(['10.0.0.1', '10.0.0.3', '10.0.0.6', '10.0.0.7', '10.0.0.8', '10.0.0.9']);
    expect(set.count()).toBe(6n);
    expect(set.contains('10.0.0.2')).toBe(false);
    expect(set.contains('10.0.0.5')).toBe(false);
    expect(set.contains('10.0.0.12')).toBe(false);
    expect(set.contains('10.0.0.3')).toBe(true);
    expect(set.isExcluded('10.0.0.12')).toBe(true);
    expect(set.isExcluded('10.0.0.3')).toBe(false);
  });

  it('reads exclude files with comments', async () => {
    const path = await file(
      'excludes.txt',
      '# the NVR is fragile\n10.0.0.1 # nvr\n\n10.0.0.8/29, 10.0.0.3\n',
    );
    const set = await build({ targets: ['10.0.0.0/28'], excludeFiles: [path] });
    expect([...set.addresses()]).toEqual(['10.0.0.2', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7']);
  });

  it('reads @file excludes and excludes host names by their addresses', async () => {
    const path = await file('excludes-at.txt', 'printer.example.test\n');
    const set = await build({
      targets: ['192.0.2.0/29'],
      exclude: [`@${path}`],
      resolve: fakeResolver({ 'printer.example.test': ['192.0.2.3'] }),
    });
    expect([...set.addresses()]).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.4', '192.0.2.5', '192.0.2.6']);
  });

  it('excludes IPv6 and leaves a fully excluded target empty', async () => {
    const set = await build({
      targets: ['2001:db8::/126', '192.0.2.7'],
      exclude: ['2001:db8::/127', '192.0.2.7'],
    });
    expect([...set.addresses()]).toEqual(['2001:db8::2', '2001:db8::3']);
    expect(set.count()).toBe(2n);
  });
});

describe('order and deduplication', () => {
  it('keeps the given order and yields an address in two targets once, at its first appearance', async () => {
    const set = await build({
      targets: ['10.0.1.0/30', '10.0.0.1-10.0.0.3', '10.0.0.2', '10.0.1.1', '10.0.0.0/30'],
    });
    const all = [...set.addresses()];
    expect(all).toEqual(['10.0.1.1', '10.0.1.2', '10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect(set.count()).toBe(5n);
    expect(set.specs).toHaveLength(5);
  });

  it('does not repeat an address a host name shares with a block', async () => {
    const set = await build({
      targets: ['cam.example.test', '192.0.2.0/29'],
      resolve: fakeResolver({ 'cam.example.test': ['192.0.2.3', '2001:db8::7'] }),
    });
    expect([...set.addresses()]).toEqual([
      '192.0.2.3',
      '2001:db8::7',
      '192.0.2.1',
      '192.0.2.2',
      '192.0.2.4',
      '192.0.2.5',
      '192.0.2.6',
    ]);
    expect(set.count()).toBe(7n);
  });
});

describe('mixed @file lists and host names', () => {
  it('reads every token of a commented file, with origins per line', async () => {
    const path = await file(
      'mixed.txt',
      [
        '# site A',
        '',
        '192.0.2.10, 192.0.2.11   192.0.2.20-192.0.2.21',
        '  Cam-1.Example.Test   # the gate camera',
        '2001:db8::/127',
        '',
      ].join('\n'),
    );
    const set = await build({
      targets: [`@${path}`, '198.51.100.1'],
      resolve: fakeResolver({ 'cam-1.example.test': ['198.51.100.50'] }),
    });
    expect([...set.addresses()]).toEqual([
      '192.0.2.10',
      '192.0.2.11',
      '192.0.2.20',
      '192.0.2.21',
      '198.51.100.50',
      '2001:db8::',
      '2001:db8::1',
      '198.51.100.1',
    ]);
    expect(set.specs.map((s) => s.origin)).toEqual([
      `${path}:3`,
      `${path}:3`,
      `${path}:3`,
      `${path}:4`,
      `${path}:5`,
      'command line',
    ]);
    expect(set.specs[3]).toEqual({
      kind: 'hostname',
      name: 'cam-1.example.test',
      addresses: ['198.51.100.50'],
      token: 'Cam-1.Example.Test',
      origin: `${path}:4`,
    });
    expect([...set.hostnames]).toEqual(['cam-1.example.test']);
  });

  it('treats numeric-looking names as addresses, not host names', () => {
    expect(parseTargetToken('cam-10.example.test', 'command line')).toEqual({
      kind: 'hostname-unresolved',
      name: 'cam-10.example.test',
      token: 'cam-10.example.test',
      origin: 'command line',
    });
    expect(() => parseTargetToken('10.0.0.256', 'command line')).toThrow('not a valid IPv4 address');
  });

  it('resolves localhost with the default resolver', async () => {
    const set = await buildTargetSet({ targets: ['localhost'] });
    const all = [...set.addresses()];
    expect(all.length).toBeGreaterThan(0);
    for (const a of all) expect(a === '::1' || a.startsWith('127.')).toBe(true);
    expect(set.hostnames.has('localhost')).toBe(true);
  });
});

describe('contains()', () => {
  it('normalises IPv4-mapped addresses, brackets and zone ids and refuses non-addresses', async () => {
    const set = await build({ targets: ['192.0.2.0/24', 'fe80::/120'] });
    expect(set.contains('::ffff:192.0.2.9')).toBe(true);
    expect(set.contains('[::ffff:192.0.2.9]')).toBe(true);
    expect(set.contains('fe80::9%eth0')).toBe(true);
    expect(set.contains('fe80::1:9')).toBe(false);
    expect(set.contains('192.0.3.1')).toBe(false);
    expect(set.contains('192.0.2')).toBe(false);
    expect(set.contains('example.test')).toBe(false);
  });
});

describe('property: count() matches the addresses yielded', () => {
  it('holds for random IPv4 blocks of /16 or smaller, with and without excludes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.integer({ min: 16, max: 32 }),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 20, max: 32 }))),
        fc.boolean(),
        async (base, prefix, exclude, includeNetworkBroadcast) => {
          const block = `${bigIntToIp(BigInt(base), 4)}/${prefix}`;
          const network = BigInt(base) & ~((1n << BigInt(32 - prefix)) - 1n);
          const excludes = exclude
            ? [`${bigIntToIp((network + BigInt(exclude[0])) & 0xffff_ffffn, 4)}/${exclude[1]}`]
            : [];
          const set = await build({ targets: [block], exclude: excludes, includeNetworkBroadcast });
          // Plain checks in the loop: an expect() per address would dominate the run time.
          let yielded = 0n;
          let previous = -1n;
          let outside: string | undefined;
          let unordered: string | undefined;
          let refused: string | undefined;
          for (const a of set.addresses()) {
            const { value } = ipToBigInt(a);
            if (!set.contains(a)) refused ??= a;
            if (value <= previous) unordered ??= a;
            if (value >> BigInt(32 - prefix) !== network >> BigInt(32 - prefix)) outside ??= a;
            previous = value;
            yielded++;
          }
          expect({ refused, unordered, outside }).toEqual({
            refused: undefined,
            unordered: undefined,
            outside: undefined,
          });
          expect(set.count()).toBe(yielded);
          if (!exclude) {
            const size = 1n << BigInt(32 - prefix);
            expect(yielded).toBe(prefix <= 30 && !includeNetworkBroadcast ? size - 2n : size);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 30_000);
});

describe('long list files', () => {
  // 200,000 lines, one address each: 10.0.0.0, 10.0.0.1 … 10.3.13.63. Lists this long once
  // overflowed the call stack ("Maximum call stack size exceeded") before a single probe was sent.
  const LINES = 200_000;
  const nth = (i: number) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
  const longList = (name: string) =>
    file(name, `${Array.from({ length: LINES }, (_, i) => nth(i)).join('\n')}\n`);

  it('sweeps every address of a 200,000-line target file, in order', async () => {
    const path = await longList('long-targets.txt');
    const set = await build({ targets: [`@${path}`] });
    expect(set.count()).toBe(BigInt(LINES));
    const yielded = [...set.addresses()];
    expect(yielded.length).toBe(LINES);
    expect(yielded.slice(0, 2)).toEqual(['10.0.0.0', '10.0.0.1']);
    expect(yielded.at(-1)).toBe('10.3.13.63');
    expect(set.contains('10.3.13.63')).toBe(true);
    expect(set.contains('10.3.13.64')).toBe(false);
  }, 30_000);

  it('leaves out every address of a 200,000-line exclude file', async () => {
    const path = await longList('long-excludes.txt');
    // 10.0.0.0/14 less its network and broadcast addresses is 10.0.0.1 … 10.3.255.254.
    const set = await build({ targets: ['10.0.0.0/14'], allowLarge: true, excludeFiles: [path] });
    expect(set.count()).toBe(262_142n - BigInt(LINES - 1));
    expect(set.addresses().next().value).toBe('10.3.13.64');
    expect(set.isExcluded('10.3.13.63')).toBe(true);
    expect(set.contains('10.3.13.63')).toBe(false);
    expect(set.contains('10.3.13.64')).toBe(true);
  }, 30_000);
});
