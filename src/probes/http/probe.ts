import { type Exchange, encodeResponse } from '../../core/exchange.ts';
import { classify } from '../../core/status.ts';
import type { TcpExchangeResult } from '../../transport/tcp.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { responseComplete } from './framing.ts';
import { type ParsedResponse, parseResponse } from './parse.ts';
import { extraPathsFor } from './paths.ts';

export const USER_AGENT = 'camsweep/0.1 (asset inventory; read-only)';
const MAX_REDIRECTS = 2;
const RESPONSE = responseComplete();

export function buildGet(host: string, port: number, path: string, tls: boolean): string {
  const defaultPort = tls ? 443 : 80;
  const hostHeader = `${host.includes(':') ? `[${host}]` : host}${port === defaultPort ? '' : `:${port}`}`;
  return (
    `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: ${USER_AGENT}\r\n` +
    'Accept: text/html,*/*;q=0.8\r\nConnection: close\r\n\r\n'
  );
}

/**
 * GET / and the redirects it leads to, as long as they stay in scope. Cameras commonly answer /
 * with a redirect to their login page, which carries the title.
 */
export function makeHttpProbe(tls: boolean): Probe {
  return {
    id: tls ? 'https-banner' : 'http-banner',
    protocol: 'http',
    transport: tls ? 'tls' : 'tcp',
    defaultPorts: tls ? [443, 8443] : [80, 8080],
    timeoutMs: 5000,
    intrusiveness: 'safe',
    produces: [
      'http.header.server',
      'http.header.name_order',
      'http.title',
      'http.auth.realm',
      'http.redirect',
      'tls.subject',
      'tls.issuer',
      'http.cookie.name',
      'http.favicon.md5',
      'http.favicon.mmh3',
      // An RTSP server answering on an HTTP port still names itself (observeHttp).
      'rtsp.header.server',
    ],
    async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
      const port = target.port ?? (tls ? 443 : 80);
      const base = { probe: this.id, host: target.host, port };
      let hop: Hop = { host: target.host, port, tls, path: '/' };
      /** The last page read: the extras (favicon, vendor paths) go to that host and port. */
      let last: { host: string; port: number; tls: boolean; res: ParsedResponse } | undefined;
      /** host:port/path already read in the redirect chain: an extra path is not fetched twice. */
      const visited = new Set<string>();
      const done = async (detail?: string): Promise<ProbeOutcome> => {
        if (last) await fetchExtras(tls ? 'https-extras' : 'http-extras', last, visited, ctx);
        return { ...base, status: 'success', ...(detail ? { detail } : {}) };
      };
      for (let n = 0; n <= MAX_REDIRECTS; n++) {
        visited.add(`${hop.host}:${hop.port}${hop.path}`);
        let result: TcpExchangeResult;
        try {
          result = await readHop(this.id, hop, ctx);
        } catch (err) {
          if (n === 0) return { ...base, status: classify(err) };
          return done(`redirect target failed: ${classify(err)}`);
        }
        const parsed = parseResponse(result.bytes);
        if (!parsed.ok) return n === 0 ? { ...base, ...firstPageFailure(parsed.reason, result) } : done();
        const res = parsed.response;
        if (res.kind === 'http') last = { host: hop.host, port: hop.port, tls: hop.tls, res };
        const step = redirectFrom(res, hop, ctx);
        if (!('next' in step)) return done(step.stop);
        hop = step.next;
      }
      return done('redirect limit reached');
    },
  };
}

/** One page of the redirect chain: where it is, and how it is reached. */
interface Hop {
  host: string;
  port: number;
  tls: boolean;
  path: string;
}

/** GETs one page and records the exchange, whatever came back. */
async function readHop(probe: string, hop: Hop, ctx: ProbeContext): Promise<TcpExchangeResult> {
  const request = buildGet(hop.host, hop.port, hop.path, hop.tls);
  const result = await ctx.transport.tcpExchange(ctx.guard, hop.host, hop.port, request, {
    signal: ctx.signal,
    tls: hop.tls,
    stopWhen: RESPONSE,
  });
  const ex: Exchange = {
    type: 'exchange',
    host: hop.host,
    port: hop.port,
    transport: hop.tls ? 'tls' : 'tcp',
    protocol: 'http',
    probe,
    request,
    ...encodeResponse(result.bytes),
    at: new Date().toISOString(),
    ...(result.tls ? { tls: result.tls } : {}),
  };
  ctx.record(ex);
  return result;
}

/** The status of a first page that is not HTTP. */
function firstPageFailure(
  reason: string,
  result: TcpExchangeResult,
): Pick<ProbeOutcome, 'status'> & { detail?: string } {
  // The deadline fell before the status line was complete (a slow drip): that is a timeout, not
  // proof the port speaks something else.
  if (result.ended === 'timeout-partial' && !result.bytes.includes(0x0a))
    return { status: 'connection-timeout', detail: 'status line incomplete at the deadline' };
  return { status: reason === 'empty' ? 'no-response' : 'protocol-mismatch' };
}

/** Where a redirect leads, if the chain goes on: only http(s), only in scope. */
function redirectFrom(
  res: ParsedResponse,
  hop: Hop,
  ctx: ProbeContext,
): { next: Hop } | { stop: string | undefined } {
  const location = res.header('location');
  if (res.status < 300 || res.status >= 400 || !location) return { stop: undefined };
  let next: URL;
  try {
    const here = `${hop.tls ? 'https' : 'http'}://${hop.host.includes(':') ? `[${hop.host}]` : hop.host}:${hop.port}${hop.path}`;
    next = new URL(location, here);
  } catch {
    return { stop: 'unparsable redirect' };
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return { stop: undefined };
  const decision = ctx.guard.checkUrl(next.href);
  if (!decision.allowed) return { stop: `redirect not followed: out-of-scope (${decision.reason})` };
  const nextTls = next.protocol === 'https:';
  return {
    next: {
      host: decision.address,
      tls: nextTls,
      port: next.port ? Number(next.port) : nextTls ? 443 : 80,
      path: `${next.pathname}${next.search}`,
    },
  };
}

/**
 * After the root page: GET /favicon.ico and the vendor paths its answer suggests (paths.ts), on
 * the host and port just read (so already in scope; the transport asks the guard again). Each is
 * recorded as its own exchange under the probe id http-extras / https-extras; failures cost only
 * that path and never change the outcome.
 */
async function fetchExtras(
  probeId: string,
  at: { host: string; port: number; tls: boolean; res: ParsedResponse },
  visited: ReadonlySet<string>,
  ctx: ProbeContext,
): Promise<void> {
  for (const path of extraPathsFor(at.res)) {
    if (ctx.signal.aborted) return;
    if (visited.has(`${at.host}:${at.port}${path}`)) continue;
    const request = buildGet(at.host, at.port, path, at.tls).replace(
      'Accept: text/html,*/*;q=0.8',
      path === '/favicon.ico' ? 'Accept: image/*,*/*;q=0.8' : 'Accept: text/html,*/*;q=0.8',
    );
    try {
      const result = await ctx.transport.tcpExchange(ctx.guard, at.host, at.port, request, {
        signal: ctx.signal,
        tls: at.tls,
        stopWhen: RESPONSE,
      });
      ctx.record({
        type: 'exchange',
        host: at.host,
        port: at.port,
        transport: at.tls ? 'tls' : 'tcp',
        protocol: 'http',
        probe: probeId,
        request,
        ...encodeResponse(result.bytes),
        at: new Date().toISOString(),
        ...(result.tls ? { tls: result.tls } : {}),
      });
    } catch {
      // A path that fails is simply absent evidence.
    }
  }
}

export const httpProbe = makeHttpProbe(false);
export const httpsProbe = makeHttpProbe(true);
