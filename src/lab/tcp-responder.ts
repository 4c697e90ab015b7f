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
