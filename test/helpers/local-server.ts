/**
 * A test-local TCP server on a loopback address, for what a lab persona cannot play (bytes a
 * device volunteers, a CSeq that is not ours). Call it in a describe body: it listens in a
 * beforeAll on a free port and, in the afterAll, destroys every open connection and closes.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface LocalServer {
  /** The listening port, once the describe block's beforeAll has run. */
  readonly port: number;
}

export function useLocalServer(host: string, onConnection: (socket: Socket) => void): LocalServer {
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    const s = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // A probe that gives up mid-write resets the connection: expected here.
      socket.on('error', () => {});
      onConnection(socket);
    });
    server = s;
    await new Promise<void>((resolve) => s.listen(0, host, () => resolve()));
    const a = s.address();
    port = typeof a === 'object' && a ? a.port : 0;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });
  return {
    get port() {
      return port;
    },
  };
}
