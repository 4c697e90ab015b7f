import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import type { HttpFault, HttpService, Persona, UsernameTokenRoute } from './persona.ts';
import { GARBAGE, listen, pumpOversize, writeInPieces } from './tcp-responder.ts';
import { renderHttpResponse } from './template.ts';
import { labCertificate } from './tls.ts';

const MAX_REQUEST = 64 * 1024;

export interface RequestInfo {
  method: string;
  path: string;
  body: string;
}

/** Splits a request once its head and declared body have arrived; undefined while incomplete. */
export function parseRequest(buf: Buffer): RequestInfo | undefined {
  const text = buf.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return buf.length >= MAX_REQUEST ? { method: 'GET', path: '/', body: '' } : undefined;
  const head = text.slice(0, m.index);
  const [requestLine = ''] = head.split(/\r?\n/);
  const [method = 'GET', path = '/'] = requestLine.split(' ');
  const len = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
  const body = buf.subarray(m.index + m[0].length);
  if (body.length < Math.min(len, MAX_REQUEST)) return undefined;
  return { method, path, body: body.toString('utf8') };
}

/** The SOAP Body's first element, whatever prefix the client used. */
export function soapAction(body: string): string | undefined {
  return /<(?:[\w-]+:)?Body\b[^>]*>\s*<(?:[\w-]+:)?([\w-]+)/.exec(body)?.[1];
}

/** The device side of a UsernameToken check: its clock, and the nonces it has already seen. */
export interface DeviceState {
  now: Date;
  nonces: Set<string>;
}

const tokenPart = (body: string, name: string): string | undefined =>
  new RegExp(`<(?:[\\w-]+:)?${name}\\b[^>]*>([^<]{0,512})</(?:[\\w-]+:)?${name}>`).exec(body)?.[1]?.trim();

/**
 * WS-UsernameToken as a device checks it (OASIS UsernameToken Profile 1.0; ONVIF-Core: nonce and
 * Created are mandatory): 'none' without a token, else whether user, digest, Created (against the
 * device clock, so a client that ignores the device's clock skew fails) and nonce freshness hold.
 */
export function checkUsernameToken(
  body: string,
  cfg: UsernameTokenRoute,
  device: DeviceState,
): 'none' | 'valid' | 'invalid' {
  if (!/<(?:[\w-]+:)?UsernameToken\b/.test(body)) return 'none';
  const user = tokenPart(body, 'Username');
  const digest = tokenPart(body, 'Password');
  const nonce = tokenPart(body, 'Nonce');
  const created = tokenPart(body, 'Created');
  if (user !== cfg.username || !digest || !nonce || !created) return 'invalid';
  const at = Date.parse(created);
  const maxSkewMs = (cfg.maxSkewSeconds ?? 300) * 1000;
  if (!Number.isFinite(at) || Math.abs(at - device.now.getTime()) > maxSkewMs) return 'invalid';
  const want = createHash('sha1')
    .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(cfg.password)]))
    .digest();
  const got = Buffer.from(digest, 'base64');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return 'invalid';
  if (device.nonces.has(nonce)) return 'invalid'; // replayed
  if (device.nonces.size > 1000) device.nonces.clear();
  device.nonces.add(nonce);
  return 'valid';
}

export function pickResponse(
  service: HttpService,
  req: RequestInfo,
  device: DeviceState = { now: new Date(), nonces: new Set() },
): string | undefined {
  const pathOnly = req.path.split('?')[0] ?? '/';
  for (const route of service.routes) {
    if (route.method && route.method.toUpperCase() !== req.method.toUpperCase()) continue;
    if (route.path !== req.path && route.path !== pathOnly) continue;
    const action = route.soap || route.usernameToken ? soapAction(req.body) : undefined;
    const guarded = action && route.usernameToken?.actions[action];
    if (route.usernameToken && guarded) {
      const verdict = checkUsernameToken(req.body, route.usernameToken, device);
      if (verdict === 'valid') return guarded;
      if (verdict === 'invalid') return route.usernameToken.rejected;
    }
    if (route.soap) {
      return (action && route.soap[action]) ?? route.soap.default ?? service.default;
    }
    return route.response ?? service.default;
  }
  return service.default;
}

export interface HttpResponderOptions {
  persona: Persona;
  service: HttpService;
  host: string;
  /** The port this service listens on in this lab mode. */
  port: number;
  /** The persona's first HTTP port in this lab mode, for {{port:http}}. */
  httpPort: number;
  fault?: HttpFault;
}

function respond(socket: Socket, bytes: Buffer, fault: HttpFault | undefined): void {
  switch (fault) {
    case 'hang':
      return; // never answers; the client's deadline must end it
    case 'reset':
      socket.write(bytes.subarray(0, Math.min(20, bytes.length)), () => socket.resetAndDestroy());
      return;
    case 'garbage':
      socket.end(GARBAGE);
      return;
    case 'invalid-utf8':
      socket.end(Buffer.concat([bytes, Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff])]));
      return;
    case 'oversize': {
      pumpOversize(socket, 'HTTP/1.1 200 OK\r\nServer: lab-oversize\r\nContent-Type: text/html\r\n\r\n');
      return;
    }
    case 'split':
      writeInPieces(socket, bytes, { step: 7, gapMs: 5, end: true });
      return;
    case 'drip':
      writeInPieces(socket, bytes, { step: 1, gapMs: 1000, end: true });
      return;
    default:
      socket.end(bytes);
  }
}

/** Serves one persona's HTTP service from its recorded responses. */
export async function startHttpResponder(opts: HttpResponderOptions): Promise<Server> {
  // persona.yaml `faults.clock`: seconds the device clock is off (e.g. "+7200"), seen by
  // GetSystemDateAndTime ({{utc.*}}) and by the UsernameToken check alike.
  const clockOffsetMs = Number(opts.persona.faults?.clock ?? 0) * 1000 || 0;
  const nonces = new Set<string>();
  const handler = (socket: Socket) => {
    let buf = Buffer.alloc(0);
    let answered = false;
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      if (answered) return;
      buf = Buffer.concat([buf, chunk]).subarray(0, MAX_REQUEST);
      const req = parseRequest(buf);
      if (!req) return;
      answered = true;
      const now = new Date(Date.now() + clockOffsetMs);
      const file = pickResponse(opts.service, req, { now, nonces });
      if (!file) {
        socket.end();
        return;
      }
      const text = readFileSync(join(opts.persona.dir, file), 'utf8');
      const bytes = renderHttpResponse(text, {
        host: opts.host,
        httpPort: opts.httpPort,
        now,
        ...(opts.persona.mac ? { mac: opts.persona.mac } : {}),
      });
      respond(socket, bytes, opts.fault);
    });
  };
  const server = opts.service.tls
    ? createTlsServer({ ...labCertificate(opts.service.tlsSubject), ALPNProtocols: ['http/1.1'] }, handler)
    : createNetServer(handler);
  server.on('tlsClientError', () => {});
  return listen(server, opts.host, opts.port);
}
