/**
 * The HTTP probe over the in-memory transport: no socket, the real framing (probes/http/framing.ts)
 * deciding when each answer is whole. Answers are the Hikvision persona's recorded responses
 * (fixtures/recorded/demo-exchanges.jsonl), re-framed or cut where a case says so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, responseBytes } from '../../src/core/exchange.ts';
import type { ScopeGuard } from '../../src/core/scope.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { observe } from '../../src/observations/observe.ts';
import { parseResponse } from '../../src/probes/http/parse.ts';
import { httpProbe } from '../../src/probes/http/probe.ts';
import {
  type MemoryAnswer,
  type MemoryTransport,
  memoryTransport,
  pieces,
  recordedResponse,
} from '../helpers/memory-transport.ts';
import { probeContext } from '../helpers/probe-lab.ts';

const HOST = '127.77.0.15';
const PORT = 20080;
const AT = `${HOST}:${PORT}`;
/** GET / of the Hikvision persona: Content-Length 480, Connection: keep-alive. */
const ROOT = recordedResponse('http-banner', HOST, 'GET / ');
/** What the same device answers to every other path (the favicon and vendor paths). */
const NOT_FOUND = recordedResponse('http-extras', HOST, 'GET /favicon.ico ');
const HEAD_END = ROOT.indexOf('\r\n\r\n') + 4;

let guard: ScopeGuard;
beforeAll(async () => {
  guard = createScopeGuard(await buildTargetSet({ targets: [HOST] }));
});

/** The root page as `root` says, every other path the recorded 404; the connection stays open. */
function device(root: MemoryAnswer): MemoryTransport {
  return memoryTransport({
    [AT]: (request) =>
      request.toString('latin1').startsWith('GET / ') ? root : { chunks: [NOT_FOUND], end: 'hang' },
  });
}

async function run(transport: MemoryTransport, timeoutMs = 4000) {
  const exchanges: Exchange[] = [];
  const ctx = probeContext(guard, (ex) => exchanges.push(ex), { timeoutMs, windowMs: 300, transport });
  const outcome = await httpProbe.run({ host: HOST, port: PORT }, ctx);
  return { outcome, exchanges, root: exchanges[0] };
}

function serverOf(ex: Exchange | undefined): unknown {
  return ex && observe(ex).find((o) => o.field === 'http.header.server')?.value;
}

describe('HTTP probe over an in-memory connection', () => {
  it('Content-Length in three pieces on a kept-alive connection: whole at the last body byte', async () => {
    const transport = device({ chunks: pieces(ROOT, 40, HEAD_END + 100), end: 'hang' });
    const { outcome, exchanges, root } = await run(transport);
    expect(outcome).toMatchObject({ probe: 'http-banner', host: HOST, port: PORT, status: 'success' });
    expect(root).toMatchObject({ probe: 'http-banner', protocol: 'http', transport: 'tcp', port: PORT });
    expect(root?.request).toMatch(/^GET \/ HTTP\/1\.1\r\n/);
    expect(root && responseBytes(root)).toEqual(ROOT);
    expect(serverOf(root)).toBe('App-webs/');
    // The follow-up paths got the recorded 404 and each read ended by its own Content-Length.
    for (const ex of exchanges.slice(1)) expect(responseBytes(ex)).toEqual(NOT_FOUND);
    expect(transport.dials.map((d) => d.ended)).toEqual(exchanges.map(() => 'complete'));
  });

  it('the same page chunked, sizes split across reads: whole at the last chunk, kept as sent', async () => {
    const body = ROOT.subarray(HEAD_END);
    const head = ROOT.subarray(0, HEAD_END)
      .toString('latin1')
      .replace(/Content-Length: \d+\r\n/, 'Transfer-Encoding: chunked\r\n');
    const wire = Buffer.concat([
      Buffer.from(head, 'latin1'),
      Buffer.from('100\r\n'),
      body.subarray(0, 0x100),
      Buffer.from(`\r\n${(body.length - 0x100).toString(16)}; ext=1\r\n`),
      body.subarray(0x100),
      Buffer.from('\r\n0\r\nX-Trailer: yes\r\n\r\n'),
    ]);
    const transport = device({
      chunks: pieces(wire, HEAD_END + 2, HEAD_END + 300, wire.length - 3),
      end: 'hang',
    });
    const { outcome, root } = await run(transport);
    expect(outcome.status).toBe('success');
    expect(transport.dials[0]?.ended).toBe('complete');
    expect(root && responseBytes(root)).toEqual(wire);
    const parsed = root && parseResponse(responseBytes(root));
    expect(parsed?.ok && parsed.response.body).toEqual(body);
    expect(serverOf(root)).toBe('App-webs/');
  });

  it('truncated: the peer closes 100 bytes into a 480-byte body; what came is recorded and read', async () => {
    const cut = ROOT.subarray(0, HEAD_END + 100);
    const transport = device({ chunks: [cut], end: 'close' });
    const { outcome, root } = await run(transport);
    expect(outcome.status).toBe('success');
    expect(transport.dials[0]?.ended).toBe('peer-closed');
    expect(root && responseBytes(root)).toEqual(cut);
    expect(serverOf(root)).toBe('App-webs/');
  });

  it('cut inside the status line at the deadline: connection-timeout, the fragment recorded', async () => {
    const transport = device({ chunks: ['HTTP/1.1 2'], end: 'hang' });
    const { outcome, exchanges } = await run(transport, 300);
    expect(outcome).toMatchObject({
      status: 'connection-timeout',
      detail: 'status line incomplete at the deadline',
    });
    expect(transport.dials[0]?.ended).toBe('timeout-partial');
    expect(exchanges.map((ex) => responseBytes(ex).toString('latin1'))).toEqual(['HTTP/1.1 2']);
  });

  it('a 10 MB Content-Length on an open connection: 64 KiB of body kept, then the read stops', async () => {
    const head = ROOT.subarray(0, HEAD_END)
      .toString('latin1')
      .replace(/Content-Length: \d+/, 'Content-Length: 10485760');
    const block = Buffer.alloc(8192, 0x61);
    const transport = device({ chunks: [head, ...Array.from({ length: 12 }, () => block)], end: 'hang' });
    const { outcome, root } = await run(transport);
    expect(outcome.status).toBe('success');
    expect(transport.dials[0]?.ended).toBe('limit');
    expect(root && responseBytes(root).length).toBe(head.length + 64 * 1024);
  });

  it('garbage that ends with FIN: protocol-mismatch, the bytes recorded as they came', async () => {
    const garbage = Buffer.from([0x00, 0x01, 0x02, 0xff, 0x7f, 0x0a, 0x0d, 0x0a]);
    const transport = device({ chunks: [garbage], end: 'close' });
    const { outcome, exchanges } = await run(transport);
    expect(outcome.status).toBe('protocol-mismatch');
    expect(exchanges.map((ex) => responseBytes(ex))).toEqual([garbage]);
  });

  it('nothing listening: connection-refused, nothing recorded', async () => {
    const { outcome, exchanges } = await run(memoryTransport({}));
    expect(outcome.status).toBe('connection-refused');
    expect(exchanges).toEqual([]);
  });

  it('a host outside the targets is never dialled: out-of-scope', async () => {
    const transport = device({ chunks: [ROOT], end: 'close' });
    const exchanges: Exchange[] = [];
    const ctx = probeContext(guard, (ex) => exchanges.push(ex), {
      timeoutMs: 1000,
      windowMs: 300,
      transport,
    });
    const outcome = await httpProbe.run({ host: '127.77.0.99', port: PORT }, ctx);
    expect(outcome.status).toBe('out-of-scope');
    expect(transport.dials).toEqual([]);
    expect(exchanges).toEqual([]);
  });
});
