/**
 * Who an IPv6 multicast reply speaks for. Such replies come from link-local addresses that no user
 * targets; they count only for an in-scope address they advertise on the segment they came in on.
 * (The netns segments test proves the whole path over real IPv6 multicast.)
 */
import { describe, expect, it } from 'vitest';
import { ipToBigInt } from '../../src/core/ip.ts';
import { advertisedHost } from '../../src/engine/discovery.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { wsdDiscovery } from '../../src/probes/wsd/discovery.ts';

const segment = (cidrBase: string, size: number) => {
  const first = ipToBigInt(cidrBase).value;
  return { first, last: first + BigInt(size - 1) };
};
const s1 = segment('10.231.1.0', 256);

async function guard(targets: string[], exclude: string[] = []) {
  return createScopeGuard(await buildTargetSet({ targets, exclude, resolve: async () => ['10.231.1.30'] }));
}

/** A ProbeMatch with these XAddrs (shape of a real Hikvision reply, PROTOCOLS.md §1.3). */
function probeMatch(xaddrs: string): Buffer {
  return Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" ' +
      'xmlns:wsadis="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
      'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><env:Header><wsadis:RelatesTo>uuid:1</wsadis:RelatesTo></env:Header>' +
      '<env:Body><d:ProbeMatches><d:ProbeMatch><wsadis:EndpointReference><wsadis:Address>urn:uuid:1</wsadis:Address>' +
      `</wsadis:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:XAddrs>${xaddrs}</d:XAddrs>` +
      '</d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>',
  );
}

const claims = (xaddrs: string) => wsdDiscovery.advertises?.(probeMatch(xaddrs)) ?? [];

describe('IPv6 multicast replies', () => {
  it('speak for the in-scope IPv4 address their XAddrs advertise on the same segment', async () => {
    const g = await guard(['10.231.1.0/24']);
    const xaddrs =
      'http://[fe80::c256:e3ff:fe00:3001]/onvif/device_service http://10.231.1.20/onvif/device_service';
    expect(advertisedHost(claims(xaddrs), s1, g)).toBe('10.231.1.20');
  });

  it('never for an address outside the targets, or excluded', async () => {
    const g = await guard(['10.231.1.0/25'], ['10.231.1.20']);
    expect(advertisedHost(claims('http://10.231.1.200/onvif/device_service'), s1, g)).toBeUndefined();
    expect(advertisedHost(claims('http://10.231.1.20/onvif/device_service'), s1, g)).toBeUndefined();
  });

  it('never for a targeted address on another segment (a device cannot claim a host elsewhere)', async () => {
    const g = await guard(['10.231.0.0/16']);
    expect(advertisedHost(claims('http://10.231.2.20/onvif/device_service'), s1, g)).toBeUndefined();
  });

  it('never for a host name, nor for its own unrequested link-local address', async () => {
    const g = await guard(['10.231.1.0/24', 'cam.example.test']);
    expect(g.checkUrl('http://cam.example.test/').allowed).toBe(true);
    expect(advertisedHost(claims('http://cam.example.test/onvif/device_service'), s1, g)).toBeUndefined();
    expect(advertisedHost(claims('http://[fe80::1]/onvif/device_service'), s1, g)).toBeUndefined();
  });

  it('for an advertised IPv6 address the user targeted', async () => {
    const g = await guard(['2001:db8::/120']);
    expect(advertisedHost(claims('http://[2001:db8::20]/onvif/device_service'), s1, g)).toBe('2001:db8::20');
  });

  it('looks at a bounded number of claims (a reply listing thousands costs nothing)', async () => {
    const g = await guard(['10.231.1.0/24']);
    const many = [
      ...Array.from({ length: 5000 }, (_, i) => `http://10.9.${i >> 8}.${i & 255}/`),
      'http://10.231.1.20/',
    ];
    expect(advertisedHost(many, s1, g)).toBeUndefined();
  });
});
