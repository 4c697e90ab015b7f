import { createServer, type Server, type Socket } from 'node:net';

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
