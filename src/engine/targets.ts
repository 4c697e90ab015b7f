import { promises as dns } from 'node:dns';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { CamsweepError } from '../core/errors.ts';
import {
  bigIntToIp,
  ipToBigInt,
  MAPPED_PREFIX,
  normaliseAddress,
  normaliseValue,
  V4_MAX,
  v4Text,
} from '../core/ip.ts';

export type TargetSpec =
  | { kind: 'range'; family: 4 | 6; start: bigint; end: bigint; token: string; origin: string }
  | { kind: 'hostname'; name: string; addresses: string[]; token: string; origin: string };

export interface TargetSetOptions {
  targets: string[];
  exclude?: string[];
  excludeFiles?: string[];
  allowLarge?: boolean;
  includeNetworkBroadcast?: boolean;
  resolve?: (name: string) => Promise<string[]>;
}

export interface TargetSet {
  readonly specs: readonly TargetSpec[];
  /** Names the user gave (lower-case, without a trailing dot). */
  readonly hostnames: ReadonlySet<string>;
  /** Addresses to probe after exclusions. */
  count(): bigint;
  /** Lazy; canonical text form (IPv6 compressed, lower-case). */
  addresses(): Generator<string>;
  /** In a target and not excluded (normalised: ::ffff:a.b.c.d → a.b.c.d, zone id stripped). */
  contains(address: string): boolean;
  /** The site section of the target file the address came from (first matching target), if any. */
  siteOf?(address: string): string | undefined;
}

/**
 * What buildTargetSet returns on top of TargetSet, so the scope guard can tell the user *why* an
 * address was refused ("excluded" versus "not a target") without widening the TargetSet contract.
 */
export interface ExclusionAware {
  isExcluded(address: string): boolean;
}

type Unresolved = { kind: 'hostname-unresolved'; name: string; token: string; origin: string };
type Role = 'target' | 'exclude';

// A /16 (IPv4) and a /112 (IPv6) are both 2^16 addresses: past that, a typo like /8 for /28 would
// turn a quick sweep into hours of traffic, so the user has to say they mean it.
const LARGE_LIMIT = 65_536n;
function fail(role: Role, token: string, origin: string, why: string): CamsweepError {
  // JSON.stringify keeps the message on one line even if a token carries control characters.
  return new CamsweepError('BAD_TARGET', `bad ${role} ${JSON.stringify(token)} (${origin}): ${why}`, {
    token,
    origin,
  });
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** RFC 1123 syntax, and the last label is not all digits (that would be a mistyped IPv4 address). */
function isHostname(token: string): boolean {
  const name = token.endsWith('.') ? token.slice(0, -1) : token;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (!labels.every((l) => LABEL.test(l))) return false;
  return !/^\d+$/.test(labels[labels.length - 1] ?? '');
}

function looksLikeAddress(s: string): boolean {
  return s.includes(':') || /^[\d.]+$/.test(s);
}

/** Why `s` is not a usable address, phrased to follow the token (or `s is`, when `s` is only part of it). */
function badAddressReason(s: string): string {
  if (isIP(s) !== 0 && s.includes('%')) return 'has a zone id; targets cannot carry one';
  if (s.includes(':')) return 'is not a valid IPv6 address';
  if (/^[\d.]+$/.test(s)) return 'is not a valid IPv4 address';
  return 'is not an IP address';
}

function badAddress(s: string, role: Role, token: string, origin: string): CamsweepError {
  const reason = badAddressReason(s);
  // For a whole token the message already names it, so "not a valid IPv4 address" is enough.
  return fail(role, token, origin, s === token ? reason.replace(/^is /, '') : `${s} ${reason}`);
}

function parseAddress(
  s: string,
  role: Role,
  token: string,
  origin: string,
): { family: 4 | 6; value: bigint } {
  if (isIP(s) === 0 || s.includes('%')) throw badAddress(s, role, token, origin);
  return ipToBigInt(s);
}

/** An interval wholly inside ::ffff:0:0/96 is IPv4 in disguise; the scope guard sees it as IPv4. */
function unmapInterval(
  family: 4 | 6,
  start: bigint,
  end: bigint,
): { family: 4 | 6; start: bigint; end: bigint } {
  if (family === 6 && start >> 32n === MAPPED_PREFIX && end >> 32n === MAPPED_PREFIX) {
    return { family: 4, start: start & V4_MAX, end: end & V4_MAX };
  }
  return { family, start, end };
}

interface Parsed {
  spec: TargetSpec | Unresolved;
  /** IPv4 prefix length when the token was a CIDR block; decides network/broadcast skipping. */
  v4Prefix?: number;
}

function parseToken(token: string, origin: string, role: Role): Parsed {
  if (token.length === 0) throw fail(role, token, origin, 'empty target');
  const slash = token.indexOf('/');
  if (slash >= 0) {
    const base = token.slice(0, slash);
    const prefixText = token.slice(slash + 1);
    const { family, value } = parseAddress(base, role, token, origin);
    const bits = family === 4 ? 32 : 128;
    if (!/^\d+$/.test(prefixText)) {
      throw fail(role, token, origin, `prefix length ${JSON.stringify(prefixText)} is not a number`);
    }
    const prefix = Number(prefixText);
    if (prefix > bits) throw fail(role, token, origin, `prefix length ${prefixText} is over ${bits}`);
    const hostBits = BigInt(bits - prefix);
    // Host bits set (10.0.0.5/24) mean the network the user clearly had in mind.
    const start = (value >> hostBits) << hostBits;
    const end = start + (1n << hostBits) - 1n;
    const iv = unmapInterval(family, start, end);
    const v4Prefix = family === 4 ? prefix : iv.family === 4 ? prefix - 96 : undefined;
    const spec: TargetSpec = { kind: 'range', ...iv, token, origin };
    return v4Prefix === undefined ? { spec } : { spec, v4Prefix };
  }
  if (isIP(token) !== 0) {
    const { family, value } = parseAddress(token, role, token, origin);
    return { spec: { kind: 'range', ...unmapInterval(family, value, value), token, origin } };
  }
  if (isHostname(token)) {
    const name = token.toLowerCase().replace(/\.$/, '');
    return { spec: { kind: 'hostname-unresolved', name, token, origin } };
  }
  const parts = token.split('-');
  if (parts.length === 2 && parts.every((p) => looksLikeAddress(p))) {
    const [left = '', right = ''] = parts;
    const a = parseAddress(left, role, token, origin);
    const b = parseAddress(right, role, token, origin);
    if (a.family !== b.family) {
      throw fail(role, token, origin, `range mixes IPv${a.family} and IPv${b.family}`);
    }
    if (a.value > b.value) throw fail(role, token, origin, `range start ${left} is after its end ${right}`);
    return { spec: { kind: 'range', ...unmapInterval(a.family, a.value, b.value), token, origin } };
  }
  if (looksLikeAddress(token)) throw badAddress(token, role, token, origin);
  throw fail(role, token, origin, 'not an IP address, CIDR block, a-b range or host name');
}

export function parseTargetToken(token: string, origin: string): TargetSpec | Unresolved {
  return parseToken(token, origin, 'target').spec;
}

// ---------------------------------------------------------------------------------------------
// Interval arithmetic. Sorted, disjoint, non-adjacent intervals, so a /8 or a /64 costs one entry.

class IntervalSet {
  private readonly starts: bigint[] = [];
  private readonly ends: bigint[] = [];

  /** Index of the first interval whose end is >= v. */
  private firstEndingAtOrAfter(v: bigint): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ends[mid] ?? 0n) < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(start: bigint, end: bigint): void {
    const i = this.firstEndingAtOrAfter(start - 1n);
    let j = i;
    let s = start;
    let e = end;
    while (j < this.starts.length && (this.starts[j] ?? 0n) <= end + 1n) {
      if ((this.starts[j] ?? 0n) < s) s = this.starts[j] ?? s;
      if ((this.ends[j] ?? 0n) > e) e = this.ends[j] ?? e;
      j++;
    }
    this.starts.splice(i, j - i, s);
    this.ends.splice(i, j - i, e);
  }

  has(v: bigint): boolean {
    const i = this.firstEndingAtOrAfter(v);
    return i < this.starts.length && (this.starts[i] ?? 0n) <= v;
  }

  /** The parts of [start, end] this set does not cover, ascending. */
  gaps(start: bigint, end: bigint): Array<[bigint, bigint]> {
    const out: Array<[bigint, bigint]> = [];
    let cursor = start;
    for (let i = this.firstEndingAtOrAfter(start); i < this.starts.length && cursor <= end; i++) {
      const s = this.starts[i] ?? 0n;
      const e = this.ends[i] ?? 0n;
      if (s > end) break;
      if (s > cursor) out.push([cursor, s - 1n]);
      cursor = e + 1n;
    }
    if (cursor <= end) out.push([cursor, end]);
    return out;
  }
}

interface Piece {
  family: 4 | 6;
  start: bigint;
  end: bigint;
}

function* expand(plan: readonly Piece[]): Generator<string> {
  for (const p of plan) {
    if (p.family === 4) {
      // Plain numbers are exact up to 2^32 and much cheaper than bigint in the hot loop.
      const end = Number(p.end);
      for (let n = Number(p.start); n <= end; n++) yield v4Text(n);
    } else {
      for (let v = p.start; v <= p.end; v++) yield bigIntToIp(v, 6);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Token sources: argv strings and @file / --exclude-file lists.

interface SourcedToken {
  token: string;
  origin: string;
  /** The `[Site name]` section of a target file the token stands in, if any. */
  site?: string;
}

function splitTokens(text: string): string[] {
  return text.split(/[\s,]+/).filter((t) => t.length > 0);
}

function describeFsError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unreadable';
}

async function readList(path: string, shown: string, role: Role): Promise<SourcedToken[]> {
  const kind = `${role} file`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CamsweepError(
      'BAD_FILE',
      `bad ${kind} ${JSON.stringify(shown)} (command line): cannot read: ${describeFsError(err)}`,
      { path },
    );
  }
  const out: SourcedToken[] = [];
  let site: string | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    const origin = `${path}:${i + 1}`;
    const hash = line.indexOf('#');
    const content = hash >= 0 ? line.slice(0, hash) : line;
    // `[Town Hall]` starts a section: the targets below it belong to that site in the reports.
    const section = /^\s*\[([^\]]{1,80})\]\s*$/.exec(content);
    if (section) {
      site = section[1]?.trim();
      return;
    }
    for (const token of splitTokens(content)) {
      // One level only: nested lists invite include cycles and make origins hard to follow.
      if (token.startsWith('@')) throw fail(role, token, origin, 'a list file cannot include another file');
      out.push({ token, origin, ...(site ? { site } : {}) });
    }
  });
  if (out.length === 0) {
    // An empty list is almost always the wrong file; silently scanning (or excluding) nothing is worse.
    throw new CamsweepError(
      'BAD_FILE',
      `bad ${kind} ${JSON.stringify(shown)} (command line): no tokens in the file`,
      {
        path,
      },
    );
  }
  return out;
}

async function collect(
  args: readonly string[],
  files: readonly string[],
  role: Role,
): Promise<SourcedToken[]> {
  const out: SourcedToken[] = [];
  for (const arg of args) {
    // Commas are accepted on the command line too, as in files, so "a,b" is two targets.
    for (const token of splitTokens(arg)) {
      if (token.startsWith('@')) {
        const path = token.slice(1);
        if (path.length === 0) throw fail(role, token, 'command line', '@ needs a file name');
        appendAll(out, await readList(path, token, role));
      } else {
        out.push({ token, origin: 'command line' });
      }
    }
  }
  for (const path of files) appendAll(out, await readList(path, path, role));
  return out;
}

/** A loop, not push(...more): spreading a list of 125,000+ lines overflows the call stack. */
function appendAll<T>(out: T[], more: readonly T[]): void {
  for (const item of more) out.push(item);
}

async function defaultResolve(name: string): Promise<string[]> {
  const found = await dns.lookup(name, { all: true });
  return found.map((a) => a.address);
}

async function resolveAll(
  unresolved: readonly Unresolved[],
  resolve: (name: string) => Promise<string[]>,
  role: Role,
): Promise<Array<TargetSpec & { kind: 'hostname' }>> {
  const settled = await Promise.allSettled(unresolved.map((u) => resolve(u.name)));
  return unresolved.map((u, i) => {
    const r = settled[i];
    const texts: string[] = [];
    if (r?.status === 'fulfilled') {
      for (const raw of r.value) {
        const n = normaliseAddress(raw);
        if (n && !texts.includes(n.text)) texts.push(n.text);
      }
    }
    if (texts.length === 0) throw fail(role, u.token, u.origin, 'cannot resolve');
    return { kind: 'hostname', name: u.name, addresses: texts, token: u.token, origin: u.origin };
  });
}

export async function buildTargetSet(opts: TargetSetOptions): Promise<TargetSet & ExclusionAware> {
  const resolve = opts.resolve ?? defaultResolve;

  const targetTokens = await collect(opts.targets, [], 'target');
  if (targetTokens.length === 0) throw new CamsweepError('BAD_TARGET', 'no targets given');
  const excludeTokens = await collect(opts.exclude ?? [], opts.excludeFiles ?? [], 'exclude');

  // Parse everything before resolving anything, so a typo on line 900 fails fast and offline.
  const parsedTargets = targetTokens.map((t) => parseToken(t.token, t.origin, 'target'));
  const parsedExcludes = excludeTokens.map((t) => parseToken(t.token, t.origin, 'exclude'));
  if (opts.allowLarge !== true) refuseLargeBlocks(parsedTargets);

  // One list after the other so that, with several bad names, the error reported is predictable.
  const resolvedTargets = await resolveAll(unresolvedOf(parsedTargets), resolve, 'target');
  const resolvedExcludes = await resolveAll(unresolvedOf(parsedExcludes), resolve, 'exclude');

  const exclusions = buildExclusions(parsedExcludes, resolvedExcludes);
  const plan = planTargets(parsedTargets, resolvedTargets, exclusions, opts.includeNetworkBroadcast === true);
  return {
    specs: plan.specs,
    hostnames: plan.hostnames,
    count: () => plan.total,
    addresses: () => expand(plan.pieces),
    contains: (address: string) => inFamilySets(plan.included, address),
    isExcluded: (address: string) => inFamilySets(exclusions.addresses, address),
    siteOf: siteLookup(targetTokens, plan.specs),
  };
}

function refuseLargeBlocks(parsed: readonly Parsed[]): void {
  for (const { spec } of parsed) {
    if (spec.kind !== 'range') continue;
    const size = spec.end - spec.start + 1n;
    if (size > LARGE_LIMIT) {
      const limit = spec.family === 4 ? '/16' : '/112';
      throw new CamsweepError(
        'BAD_TARGET',
        `target ${JSON.stringify(spec.token)} (${spec.origin}) has ${size} addresses; more than a ${limit} needs --allow-large`,
        { token: spec.token, origin: spec.origin },
      );
    }
  }
}

function unresolvedOf(parsed: readonly Parsed[]): Unresolved[] {
  return parsed.map((p) => p.spec).filter((s): s is Unresolved => s.kind === 'hostname-unresolved');
}

type FamilySets = Record<4 | 6, IntervalSet>;

function familySets(): FamilySets {
  return { 4: new IntervalSet(), 6: new IntervalSet() };
}

function inFamilySets(sets: FamilySets, address: string): boolean {
  const n = normaliseValue(address);
  return n !== undefined && sets[n.family].has(n.value);
}

interface Exclusions {
  addresses: FamilySets;
  /** Excluded host names: a target of the same name stays out of `hostnames` (the scope guard's names). */
  names: Set<string>;
}

function buildExclusions(
  parsed: readonly Parsed[],
  resolved: ReadonlyArray<TargetSpec & { kind: 'hostname' }>,
): Exclusions {
  const addresses = familySets();
  for (const { spec } of parsed) {
    if (spec.kind === 'range') addresses[spec.family].add(spec.start, spec.end);
  }
  for (const spec of resolved) {
    for (const a of spec.addresses) {
      const n = normaliseAddress(a);
      if (n) addresses[n.family].add(n.value, n.value);
    }
  }
  return { addresses, names: new Set(resolved.map((s) => s.name)) };
}

interface Plan {
  specs: TargetSpec[];
  hostnames: Set<string>;
  /** What to sweep, in the user's order. */
  pieces: Piece[];
  included: FamilySets;
  total: bigint;
}

/**
 * Dedup keeps the user's order exactly: each target contributes only what no earlier target
 * covered, so overlaps are probed once, at their first appearance. The cost is one interval
 * subtraction per target, not per address.
 */
function planTargets(
  parsed: readonly Parsed[],
  resolved: ReadonlyArray<TargetSpec & { kind: 'hostname' }>,
  exclusions: Exclusions,
  includeNetworkBroadcast: boolean,
): Plan {
  const plan: Plan = { specs: [], hostnames: new Set(), pieces: [], included: familySets(), total: 0n };
  const seen = familySets();
  const take = (family: 4 | 6, start: bigint, end: bigint) => {
    for (const [gs, ge] of seen[family].gaps(start, end)) {
      for (const [s, e] of exclusions.addresses[family].gaps(gs, ge)) {
        plan.pieces.push({ family, start: s, end: e });
        plan.included[family].add(s, e);
        plan.total += e - s + 1n;
      }
    }
    seen[family].add(start, end);
  };
  let nextResolved = 0;
  for (const { spec, v4Prefix } of parsed) {
    if (spec.kind === 'hostname-unresolved') {
      const hostname = resolved[nextResolved++];
      if (!hostname) throw new CamsweepError('INTERNAL', `lost the resolution of ${spec.name}`);
      plan.specs.push(hostname);
      if (!exclusions.names.has(hostname.name)) plan.hostnames.add(hostname.name);
      for (const a of hostname.addresses) {
        const n = normaliseAddress(a);
        if (n) take(n.family, n.value, n.value);
      }
      continue;
    }
    if (spec.kind !== 'range') continue; // parseToken never yields resolved hostnames
    plan.specs.push(spec);
    let { start, end } = spec;
    // In an IPv4 block of /30 or shorter the first address names the network and the last is the
    // broadcast: neither is a host, and probing broadcast can reach every device on the segment.
    // /31 (RFC 3021 point-to-point) and /32 have no such addresses, and IPv6 has no broadcast.
    if (v4Prefix !== undefined && v4Prefix <= 30 && !includeNetworkBroadcast) {
      start += 1n;
      end -= 1n;
    }
    take(spec.family, start, end);
  }
  return plan;
}

/** The `[Site]` section of the target file an address came from: the first target that holds it. */
function siteLookup(
  tokens: readonly SourcedToken[],
  specs: readonly TargetSpec[],
): (address: string) => string | undefined {
  const siteByOrigin = new Map(tokens.filter((t) => t.site).map((t) => [t.origin, t.site]));
  return (address: string): string | undefined => {
    if (siteByOrigin.size === 0) return undefined;
    const n = normaliseValue(address);
    for (const spec of specs) {
      const site = siteByOrigin.get(spec.origin);
      if (!site) continue;
      if (spec.kind === 'hostname' && spec.addresses.includes(address)) return site;
      if (
        spec.kind === 'range' &&
        n &&
        n.family === spec.family &&
        n.value >= spec.start &&
        n.value <= spec.end
      ) {
        return site;
      }
    }
    return undefined;
  };
}
