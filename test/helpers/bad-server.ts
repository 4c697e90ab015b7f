/**
 * A misbehaving HTTP/RTSP server for unit tests: node:net or node:tls on 127.0.0.1, port 0.
 * The request path picks the behaviour (`GET /bare_lf`), so one server serves every case. The
 * canned cases reproduce the malformed responses of the dependency review (DEPENDENCIES.md,
 * "HTTP: malformed responses"); the others are the faults a camera lab needs (silent, drip,
 * reset, oversize, keep-open).
 */
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';

const TLS_DIR = new URL('./tls/', import.meta.url);
/** A fixed self-signed pair, subject CN=ipcam.local, valid for 100 years (generated once with openssl). */
export const TEST_TLS = {
  key: readFileSync(new URL('key.pem', TLS_DIR)),
  cert: readFileSync(new URL('cert.pem', TLS_DIR)),
};

type Behaviour =
  | { type: 'canned'; raw: () => string | Buffer; close: boolean }
  | { type: 'silent' }
  | { type: 'stream'; head: string; total: number }
  | { type: 'drip'; text: string; everyMs: number }
  | { type: 'reset-after'; raw: string; delayMs: number }
  | { type: 'reset-now' };

type Canned = Extract<Behaviour, { type: 'canned' }>;
const canned = (raw: string | Buffer, close = true): Canned => ({ type: 'canned', raw: () => raw, close });

let oneMegabyte: string | undefined;
const bigBody = (): string => {
  oneMegabyte ??= 'A'.repeat(1024 * 1024);
  return `HTTP/1.1 200 OK\r\nServer: big\r\nContent-Length: ${oneMegabyte.length}\r\n\r\n${oneMegabyte}`;
};

/** The cases of the dependency review, byte for byte (deps-lab/badserver.mjs). */
export const REVIEW_CASES = {
  http10_noclen_close: canned('HTTP/1.0 200 OK\r\nServer: App-webs/\r\n\r\n<html>hikvision-like</html>'),
  header_no_colon: canned(
    'HTTP/1.1 200 OK\r\nServer: foo\r\nThisLineHasNoColon\r\nContent-Length: 2\r\n\r\nhi',
  ),
  bare_lf: canned('HTTP/1.1 200 OK\nServer: lf-only\nContent-Length: 2\n\nhi'),
  bare_lf_noclen: canned('HTTP/1.0 200 OK\nServer: lf-only-close\n\nhello'),
  dup_headers_order: canned(
    'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="IPCam", nonce="abc", qop="auth"\r\n' +
      'WWW-Authenticate: Basic realm="IPCam"\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nServer: Boa/0.94.14rc21\r\n' +
      'X-Frame-Options: SAMEORIGIN\r\nContent-Length: 0\r\n\r\n',
  ),
  dup_content_length: canned(
    'HTTP/1.1 200 OK\r\nServer: dupcl\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nhello',
  ),
  space_before_colon: canned('HTTP/1.1 200 OK\r\nServer : thttpd/2.25b\r\nContent-Length: 2\r\n\r\nhi'),
  space_in_name: canned('HTTP/1.1 200 OK\r\nServer Name: weird\r\nContent-Length: 2\r\n\r\nhi'),
  obs_fold: canned('HTTP/1.1 200 OK\r\nServer: folded\r\n  continuation\r\nContent-Length: 2\r\n\r\nhi'),
  latin1_value: canned(
    Buffer.concat([
      Buffer.from('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="'),
      Buffer.from([0xc9, 0xe3, 0xcf, 0xf1, 0xbb, 0xfa]), // "摄像机" in GBK
      Buffer.from('"\r\nContent-Length: 0\r\n\r\n'),
    ]),
  ),
  ctl_in_value: canned('HTTP/1.1 200 OK\r\nServer: ctl\x01char\r\nContent-Length: 2\r\n\r\nhi'),
  no_reason_phrase: canned('HTTP/1.1 200\r\nServer: noreason\r\nContent-Length: 2\r\n\r\nhi'),
  te_and_cl: canned(
    'HTTP/1.1 200 OK\r\nServer: te-cl\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n',
  ),
  bad_chunk: canned(
    'HTTP/1.1 200 OK\r\nServer: badchunk\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhi\r\n0\r\n\r\n',
  ),
  cl_too_long_close: canned('HTTP/1.1 200 OK\r\nServer: short-body\r\nContent-Length: 1000\r\n\r\nonly-this'),
  headers_truncated: canned('HTTP/1.1 200 OK\r\nServer: truncated\r\n'),
  rtsp_on_http_port: canned('RTSP/1.0 400 Bad Request\r\nServer: GStreamer RTSP server\r\nCSeq: 0\r\n\r\n'),
  garbage: canned(Buffer.from([0x00, 0x01, 0x02, 0xff, 0x7f, 0x0a, 0x0d, 0x0a])),
  http09_body_only: canned('<html><body>legacy DVR</body></html>'),
  redirect: canned(
    'HTTP/1.1 302 Found\r\nLocation: /doc/page/login.asp\r\nServer: webserver\r\nContent-Length: 0\r\n\r\n',
  ),
  big_body: { type: 'canned', raw: bigBody, close: true },
  silent: { type: 'silent' },
} satisfies Record<string, Behaviour>;

export type ReviewCase = keyof typeof REVIEW_CASES;

/** Faults beyond the review, for the reader's stop conditions. */
export const FAULT_CASES = {
  /** 10 MB announced and streamed with backpressure, never held in memory. */
  huge: {
    type: 'stream',
    head: 'HTTP/1.1 200 OK\r\nServer: huge\r\nContent-Length: 10485760\r\n\r\n',
    total: 10485760,
  },
  /** One byte every 100 ms, far more bytes than any test waits for. */
  drip: { type: 'drip', text: `HTTP/1.1 200 OK\r\nServer: drip\r\n\r\n${'x'.repeat(4096)}`, everyMs: 100 },
  /** Part of a response, then a TCP reset (RST) instead of the rest. */
  reset_mid: {
    type: 'reset-after',
    raw: 'HTTP/1.1 200 OK\r\nServer: reset\r\nContent-Length: 1000\r\n\r\npartial',
    delayMs: 50,
  },
  /** Reset as soon as the request is in, before any byte of a response. */
  reset_now: { type: 'reset-now' },
  /** HTTP/1.1 with no length on a connection left open: only idle (or the deadline) ends it. */
  noclen_keepopen: canned('HTTP/1.1 200 OK\r\nServer: keep\r\n\r\nsome body', false),
  /** RTSP without Content-Length has no body; the server keeps the session open. */
  rtsp_keepopen: canned(
    'RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Hikvision-Webs\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n',
    false,
  ),
  chunked_keepopen: canned(
    'HTTP/1.1 200 OK\r\nServer: chunky\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n',
    false,
  ),
  /** The head a HEAD request gets: a length but no body, connection left open. */
  head_keepopen: canned('HTTP/1.1 200 OK\r\nServer: head\r\nContent-Length: 1000\r\n\r\n', false),
} satisfies Record<string, Behaviour>;

const CASES: Record<string, Behaviour> = { ...REVIEW_CASES, ...FAULT_CASES };

export interface BadServerOptions {
  tls?: boolean;
  /** Extra server TLS options, e.g. an old camera's TLS 1.0 only. */
  tlsOptions?: TlsOptions;
  /** Sent as soon as a client connects, before any request (a banner, or HTTP on a TLS port). */
  greeting?: string | Buffer;
  /** Accept connections, read everything, never answer (not even to a TLS ClientHello). */
  mute?: boolean;
}

export interface BadServer {
  readonly port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** TCP connections currently open on the server side. */
  readonly open: number;
  /** Destroys what is still open and stops listening. */
  close(): Promise<void>;
}

export async function startBadServer(options: BadServerOptions = {}): Promise<BadServer> {
  const sockets = new Set<Socket>();
  /** Raw TCP sockets by client port: a TLSSocket cannot send an RST itself, its TCP socket can. */
  const tcpByPort = new Map<number, Socket>();
  let connections = 0;

  const handle = (socket: Socket): void => {
    socket.on('error', () => {
      // Clients reset and abort on purpose; nothing to report.
    });
    if (options.greeting !== undefined) socket.write(options.greeting);
    if (options.mute) {
      socket.resume();
      return;
    }
    let request = '';
    const onData = (data: Buffer): void => {
      request += data.toString('latin1');
      if (request.length > 16384) {
        socket.destroy();
        return;
      }
      if (!/\r?\n\r?\n/.test(request)) return;
      socket.off('data', onData);
      const name = /^[A-Z]+ \/([\w-]+)/.exec(request)?.[1] ?? '';
      const behaviour = CASES[name];
      if (!behaviour) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      else respond(socket, behaviour, () => resetTcp(socket));
    };
    socket.on('data', onData);
  };

  const resetTcp = (socket: Socket): void => {
    const tcp = tcpByPort.get(socket.remotePort ?? -1);
    if (tcp && !tcp.destroyed) tcp.resetAndDestroy();
    else socket.destroy();
  };

  const server: Server = options.tls
    ? createTlsServer({ ...TEST_TLS, ...options.tlsOptions }, handle)
    : createNetServer(handle);
  // Counted on the raw TCP connection, before any TLS, so "never opened a socket" is exact.
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    const port = socket.remotePort ?? -1;
    tcpByPort.set(port, socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      tcpByPort.delete(port);
    });
  });
  // A client that aborts mid-handshake is expected here.
  server.on('tlsClientError', () => {});

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bad server has no TCP address');

  return {
    port: address.port,
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function respond(socket: Socket, behaviour: Behaviour, reset: () => void): void {
  switch (behaviour.type) {
    case 'canned': {
      const raw = behaviour.raw();
      const done = (): void => {
        if (behaviour.close) socket.end();
      };
      if (typeof raw === 'string') socket.write(raw, 'latin1', done);
      else socket.write(raw, done);
      return;
    }
    case 'silent':
      return;
    case 'reset-now':
      reset();
      return;
    case 'reset-after': {
      socket.write(behaviour.raw, 'latin1');
      // A short pause so the client has read the partial response before the RST arrives.
      const timer = setTimeout(reset, behaviour.delayMs);
      socket.once('close', () => clearTimeout(timer));
      return;
    }
    case 'drip': {
      let i = 0;
      const timer = setInterval(() => {
        if (i >= behaviour.text.length || socket.destroyed) {
          clearInterval(timer);
          return;
        }
        socket.write(behaviour.text.slice(i, i + 1), 'latin1');
        i++;
      }, behaviour.everyMs);
      socket.once('close', () => clearInterval(timer));
      return;
    }
    case 'stream': {
      socket.write(behaviour.head, 'latin1');
      const block = Buffer.alloc(64 * 1024, 0x41);
      let sent = 0;
      const pump = (): void => {
        while (sent < behaviour.total && !socket.destroyed) {
          const piece = block.subarray(0, Math.min(block.length, behaviour.total - sent));
          sent += piece.length;
          if (!socket.write(piece)) {
            socket.once('drain', pump);
            return;
          }
        }
        if (!socket.destroyed) socket.end();
      };
      pump();
      return;
    }
  }
}
