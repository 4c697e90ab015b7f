import { createServer, type Server, type Socket } from 'node:net';
import type { RunningResponder } from './responders/types.ts';

/** A TCP listener for a lab persona; the handler owns the socket (greeting, replies, faults). */
export async function startTcpResponder(
  host: string,
  port: number,
  onConnection: (socket: Socket) => void,
): Promise<Server> {
  const server = createServer((socket) => {
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    onConnection(socket);
  });
  return listen(server, host, port);
}

/** Starts listening and resolves once bound; a bind error (EADDRINUSE …) rejects instead of crashing. */
export async function listen<
  S extends { listen: Server['listen']; once: Server['once']; off: Server['off'] },
>(server: S, host: string, port: number): Promise<S> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * One server per port, started in order, as one running responder. If one cannot start, those
 * already listening are closed before the error goes on, so a failed persona leaves no port open.
 */
export async function startServers(
  ports: readonly number[],
  start: (port: number, index: number) => Promise<Server>,
): Promise<RunningResponder> {
  const servers: Server[] = [];
  const close = async () => {
    await Promise.all(servers.map(closeServer));
  };
  try {
    for (const [i, port] of ports.entries()) servers.push(await start(port, i));
  } catch (err) {
    await close();
    throw err;
  }
  return { tcpPorts: [...ports], close };
}

/** Faults writeTcpAnswer knows (persona.yaml `faults.<protocol>`). */
export type TcpFault = 'hang' | 'reset' | 'split' | 'drip' | 'garbage' | 'oversize' | 'duplicate';

export const GARBAGE = Buffer.from([0x00, 0xff, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x0a, 0x00]);

/**
 * An HTTP-style oversize answer: `head`, then 10 MiB of "A" written as the socket drains (so the
 * lab never buffers it all), then FIN. The reader's cap must end it long before.
 */
export function pumpOversize(socket: Socket, head: string): void {
  socket.write(head);
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  let sent = 0;
  const pump = () => {
    while (sent < 10 * 1024 * 1024 && !socket.destroyed) {
      sent += chunk.length;
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}

/**
 * The split and drip faults: `bytes` written `step` at a time, one piece every `gapMs` (the first
 * at once with `now`, else after one gap), so the reader must join them; then FIN when `end`.
 * Stops when the socket closes.
 */
export function writeInPieces(
  socket: Socket,
  bytes: Buffer,
  opts: { step: number; gapMs: number; now?: boolean; end?: boolean },
): void {
  let i = 0;
  const next = () => {
    if (socket.destroyed || i >= bytes.length) {
      clearInterval(timer);
      if (opts.end) socket.end();
      return;
    }
    socket.write(bytes.subarray(i, i + opts.step));
    i += opts.step;
  };
  const timer = setInterval(next, opts.gapMs);
  socket.once('close', () => clearInterval(timer));
  if (opts.now) next();
}

/**
 * Writes a TCP responder's answer with the persona's fault: `hang` (never answers), `reset` (RST
 * at once), `split` (7-byte pieces 5 ms apart: the reader must join them),
 * `drip` (one byte a second), `garbage` (ten junk bytes, then FIN), `oversize` (`oversizeHead`, then
 * 1 MiB with no line end, then FIN: only the reader's cap ends it), `duplicate` (the answer twice
 * in one write). No fault, or one this helper does not know: the answer once. Except after
 * `reset`, `garbage` and `oversize`, the connection stays open for the client to close.
 */
export function writeTcpAnswer(
  socket: Socket,
  bytes: Buffer,
  fault: string | undefined,
  opts: { oversizeHead?: Buffer } = {},
): void {
  switch (fault as TcpFault | undefined) {
    case 'hang':
      return;
    case 'reset':
      socket.resetAndDestroy();
      return;
    case 'split':
      writeInPieces(socket, bytes, { step: 7, gapMs: 5, now: true });
      return;
    case 'drip':
      writeInPieces(socket, bytes, { step: 1, gapMs: 1000, now: true });
      return;
    case 'garbage':
      socket.end(GARBAGE);
      return;
    case 'oversize':
      socket.end(Buffer.concat([opts.oversizeHead ?? Buffer.alloc(0), Buffer.alloc(1024 * 1024, 0x41)]));
      return;
    case 'duplicate':
      socket.write(Buffer.concat([bytes, bytes]));
      return;
    default:
      socket.write(bytes);
  }
}
