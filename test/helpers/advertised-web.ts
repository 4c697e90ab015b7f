/**
 * A scope-guard trap for discovery protocols whose reply advertises a web port (DHIP, Dahua
 * 5050): a fake device on `${net}.10` that answers the protocol's UDP search, a web server on its
 * port 20080, and a counting server on `${net}.99`, outside the targets, that must never be reached.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROBE_STATUSES } from '../../src/core/status.ts';
import { sweepTargets } from './probe-lab.ts';

export interface AdvertisedWebTrap {
  device: string;
  outside: string;
  /** Connections the out-of-scope server received (must stay 0). */
  outsideCount(): number;
  /** Which address the device's next replies advertise. */
  advertise(address: string): void;
  /** A sweep of the device alone, with its web port. */
  sweepDevice(): ReturnType<typeof sweepTargets>;
}

export function useAdvertisedWebTrap(opts: {
  net: string;
  udpPort: number;
  /** The device's reply to `msg`, advertising `address:port`; undefined ignores the message. */
  answer(msg: Buffer, address: string, port: number): Buffer | undefined;
}): AdvertisedWebTrap {
  const device = `${opts.net}.10`;
  const outsideAddress = `${opts.net}.99`;
  let web: Server;
  let outside: Server;
  let responder: UdpSocket;
  let count = 0;
  let advertised = outsideAddress;
  let outsidePort = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    web = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.end('HTTP/1.1 200 OK\r\nCONNECTION: close\r\nCONTENT-LENGTH: 0\r\n\r\n');
    });
    await new Promise<void>((r) => web.listen(20080, device, r));
    outside = createServer((s) => {
      sockets.add(s);
      count += 1;
      s.on('error', () => {});
      s.end('HTTP/1.1 200 OK\r\nServer: must-not-be-reached\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((r) => outside.listen(0, outsideAddress, r));
    const addr = outside.address();
    outsidePort = addr && typeof addr === 'object' ? addr.port : 0;
    responder = createSocket('udp4');
    responder.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      const reply = opts.answer(msg, advertised, advertised === outsideAddress ? outsidePort : 20080);
      if (reply) responder.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => responder.bind(opts.udpPort, device, r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    responder.close();
    await new Promise<void>((r) => web.close(() => r()));
    await new Promise<void>((r) => outside.close(() => r()));
  });

  return {
    device,
    outside: outsideAddress,
    outsideCount: () => count,
    advertise: (address) => {
      advertised = address;
    },
    sweepDevice: () => sweepTargets([device], [{ port: 20080, service: 'http' }]),
  };
}

/**
 * The two scope tests every advertising protocol must pass, registered in the caller's describe:
 * an advertised address outside the targets is refused (and never dialled), the device's own is
 * read. `probe` is the discovery probe's id, `protocol` the exchanges it records.
 */
export function advertisedWebScopeTests(trap: AdvertisedWebTrap, probe: string, protocol: string): void {
  it('an address outside the targets: reported out-of-scope, zero connections to it', async () => {
    trap.advertise(trap.outside);
    const { hosts, outcomes } = await trap.sweepDevice();
    expect(hosts.map((h) => h.host)).toEqual([trap.device]);
    expect(outcomes.find((o) => o.probe === probe)?.status).toBe('success');
    const refused = outcomes.filter((o) => o.status === 'out-of-scope' && o.detail?.includes(trap.outside));
    expect(refused).toHaveLength(1);
    expect(trap.outsideCount()).toBe(0);
    for (const o of outcomes) expect(PROBE_STATUSES).toContain(o.status);
  });

  it('the device’s own address: the advertised web port is read', async () => {
    trap.advertise(trap.device);
    const { hosts } = await trap.sweepDevice();
    const http = hosts[0]?.exchanges.filter((ex) => ex.protocol === 'http') ?? [];
    expect(hosts[0]?.exchanges.some((ex) => ex.protocol === protocol)).toBe(true);
    // The banner probe on the swept port, and the follow-up on the advertised one.
    expect(http.length).toBeGreaterThanOrEqual(2);
    expect(trap.outsideCount()).toBe(0);
  });
}
