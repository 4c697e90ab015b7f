// Compose healthcheck for a lab persona: healthy once it accepts a TCP connection on its own
// address. The scanner waits for every persona to be healthy, so a sweep never starts while a
// persona is still binding its ports and reports it missing.
// Usage: node docker/healthcheck.mjs <address> <port>
import { connect } from 'node:net';

const [address, port] = process.argv.slice(2);
if (!address || !port) {
  process.stderr.write('usage: healthcheck.mjs <address> <port>\n');
  process.exit(2);
}
const socket = connect({ host: address, port: Number(port), timeout: 2000 });
socket.on('connect', () => {
  socket.destroy();
  process.exit(0);
});
socket.on('timeout', () => process.exit(1));
socket.on('error', () => process.exit(1));
