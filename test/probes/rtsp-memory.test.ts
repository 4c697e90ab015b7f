/**
 * The RTSP probe over the in-memory transport: no socket, the HTTP/RTSP framing it shares with the
 * HTTP probe (probes/http/framing.ts) deciding when each answer is whole. RTSP servers keep the
 * connection open, so every read here must end by framing, not by FIN. Answers are the personas'
 * recorded responses (fixtures/recorded/demo-exchanges.jsonl) and a Hikvision camera's published
 * SDP (test/accuracy/cases.yaml, go2rtc-hikvision-sdp-pcm).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type Exchange, responseBytes } from '../../src/core/exchange.ts';
import type { ScopeGuard } from '../../src/core/scope.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { observe } from '../../src/observations/observe.ts';
import { DESCRIBE_CSEQ } from '../../src/probes/rtsp/message.ts';
import { rtspProbe } from '../../src/probes/rtsp/probe.ts';
import {
  type MemoryAnswer,
  type MemoryTransport,
  memoryTransport,
  pieces,
  recordedResponse,
} from '../helpers/memory-transport.ts';
import { probeContext } from '../helpers/probe-lab.ts';

const HIKVISION = '127.77.0.15';
const VIDEOJET = '127.77.0.18';
const PORT = 20554;
const OPTIONS_200 = recordedResponse('rtsp', HIKVISION, 'OPTIONS ');
const DESCRIBE_401 = recordedResponse('rtsp', HIKVISION, 'DESCRIBE ');

/** The published SDP, under the head of an authorised DESCRIBE reply with its Content-Length. */
function readDescribe200(): Buffer {
  const cases = parseYaml(readFileSync(new URL('../accuracy/cases.yaml', import.meta.url), 'utf8')) as {
    cases: { id: string; evidence: { response?: string }[] }[];
  };
  const sdp = cases.cases.find((c) => c.id === 'go2rtc-hikvision-sdp-pcm')?.evidence[0]?.response;
  if (!sdp) throw new Error('go2rtc-hikvision-sdp-pcm is gone from the accuracy set');
  const body = Buffer.from(sdp, 'utf8');
  const head = `RTSP/1.0 200 OK\r\nCSeq: ${DESCRIBE_CSEQ}\r\nContent-Type: application/sdp\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

let guard: ScopeGuard;
/** Read once: the accuracy set is large. */
let DESCRIBE_200: Buffer;
beforeAll(async () => {
  DESCRIBE_200 = readDescribe200();
  guard = createScopeGuard(await buildTargetSet({ targets: [HIKVISION, VIDEOJET] }));
});

/** OPTIONS gets the recorded 200 on an open connection; DESCRIBE gets `describe`. */
function camera(describe: MemoryAnswer): MemoryTransport {
  return memoryTransport({
    [`${HIKVISION}:${PORT}`]: (request) =>
      request.toString('latin1').startsWith('OPTIONS ') ? { chunks: [OPTIONS_200], end: 'hang' } : describe,
  });
}

async function run(transport: MemoryTransport, host = HIKVISION, timeoutMs = 4000) {
  const exchanges: Exchange[] = [];
  const ctx = probeContext(guard, (ex) => exchanges.push(ex), { timeoutMs, windowMs: 300, transport });
  const outcome = await rtspProbe.run({ host, port: PORT }, ctx);
  return {
    outcome,
    exchanges,
    fields: exchanges.flatMap((ex) => observe(ex).map((o) => [o.field, o.value])),
  };
}

describe('RTSP probe over an in-memory connection', () => {
  it('recorded Hikvision answers without Content-Length on an open connection: each whole at its blank line', async () => {
    const transport = camera({ chunks: pieces(DESCRIBE_401, 30, DESCRIBE_401.length - 1), end: 'hang' });
    const { outcome, exchanges, fields } = await run(transport);
    expect(outcome).toMatchObject({ probe: 'rtsp', host: HIKVISION, port: PORT, status: 'success' });
    expect(outcome.detail).toBeUndefined();
    expect(exchanges.map((ex) => [ex.probe, ex.protocol, ex.request?.split(' ', 1)[0]])).toEqual([
      ['rtsp', 'rtsp', 'OPTIONS'],
      ['rtsp', 'rtsp', 'DESCRIBE'],
    ]);
    expect(exchanges.map(responseBytes)).toEqual([OPTIONS_200, DESCRIBE_401]);
    expect(transport.dials.map((d) => d.ended)).toEqual(['complete', 'complete']);
    expect(fields).toContainEqual(['rtsp.auth.realm', 'IP Camera(C2183)']);
  });

  it('an SDP with Content-Length, in pieces on an open connection: whole at the last SDP byte', async () => {
    const wire = DESCRIBE_200;
    const transport = camera({
      chunks: pieces(wire, 20, wire.indexOf('\r\n\r\n') + 2, wire.length - 10),
      end: 'hang',
    });
    const { outcome, exchanges, fields } = await run(transport);
    expect(outcome.status).toBe('success');
    expect(transport.dials[1]?.ended).toBe('complete');
    expect(exchanges[1] && responseBytes(exchanges[1])).toEqual(wire);
    expect(fields).toContainEqual(['rtsp.sdp.session_name', 'Media Presentation']);
  });

  it('truncated: the SDP cut short by FIN is recorded as it came, the head still read', async () => {
    const wire = DESCRIBE_200;
    const cut = wire.subarray(0, wire.indexOf('\r\n\r\n') + 40);
    const transport = camera({ chunks: [cut], end: 'close' });
    const { outcome, exchanges } = await run(transport);
    expect(outcome.status).toBe('success');
    expect(transport.dials[1]?.ended).toBe('peer-closed');
    expect(exchanges[1] && responseBytes(exchanges[1])).toEqual(cut);
  });

  it('cut inside the status line at the deadline: connection-timeout, the fragment recorded', async () => {
    const transport = memoryTransport({
      [`${HIKVISION}:${PORT}`]: () => ({ chunks: ['RTSP/1.0 2'], end: 'hang' }),
    });
    const { outcome, exchanges } = await run(transport, HIKVISION, 300);
    expect(outcome).toMatchObject({
      status: 'connection-timeout',
      detail: 'status line incomplete at the deadline',
    });
    expect(exchanges.map((ex) => responseBytes(ex).toString('latin1'))).toEqual(['RTSP/1.0 2']);
  });

  it('an endless head on an open connection stops at the cap: protocol-error, no CSeq', async () => {
    const pad = Buffer.alloc(4096, 0x78);
    const transport = memoryTransport({
      [`${HIKVISION}:${PORT}`]: () => ({
        chunks: ['RTSP/1.0 200 OK\r\nX-Pad: ', ...Array.from({ length: 16 }, () => pad)],
        end: 'hang',
      }),
    });
    const { outcome, exchanges } = await run(transport);
    expect(outcome).toMatchObject({ status: 'protocol-error', detail: 'CSeq missing, expected 1' });
    expect(transport.dials[0]?.ended).toBe('limit');
    // 16 KiB of head allowance plus the probe's 16 KiB body cap: nothing more is held.
    expect(exchanges[0] && responseBytes(exchanges[0]).length).toBe(32 * 1024);
  });

  it('the recorded HTTP/1.0 answer of a VideoJet on its RTSP port: whole at FIN, protocol-mismatch', async () => {
    const http = recordedResponse('rtsp', VIDEOJET, 'OPTIONS ');
    const transport = memoryTransport({ [`${VIDEOJET}:${PORT}`]: () => ({ chunks: [http], end: 'close' }) });
    const { outcome, exchanges } = await run(transport, VIDEOJET);
    expect(outcome).toMatchObject({ status: 'protocol-mismatch', detail: 'an HTTP answer on an RTSP port' });
    expect(transport.dials[0]?.ended).toBe('complete');
    expect(exchanges.map(responseBytes)).toEqual([http]);
  });
});
