import { describe, expect, it } from 'vitest';
import { CamsweepError } from '../../src/core/errors.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';

async function guard() {
  const set = await buildTargetSet({
    targets: ['10.0.0.0/24', '127.0.0.0/24', '2001:db8::/120', 'Cam.Example.Test'],
    exclude: ['10.0.0.5'],
    resolve: async (name) => {
      if (name === 'cam.example.test') return ['192.0.2.7'];
      throw new Error(`unexpected lookup of ${name}`);
    },
  });
  return createScopeGuard(set);
}

describe('ScopeGuard.checkUrl', () => {
  it('refuses an advertised XAddr outside the targets', async () => {
    const g = await guard();
    expect(g.checkUrl('http://10.9.9.9/onvif/device_service')).toEqual({
      allowed: false,
      reason: "10.9.9.9 is not in the sweep's targets",
    });
  });

  it('accepts an XAddr inside the targets and returns its address', async () => {
    const g = await guard();
    expect(g.checkUrl('http://10.0.0.7:8080/onvif/device_service')).toEqual({
      allowed: true,
      address: '10.0.0.7',
    });
    expect(g.checkUrl('rtsp://10.0.0.7:554/Streaming/Channels/101')).toEqual({
      allowed: true,
      address: '10.0.0.7',
    });
    expect(g.checkUrl('soap.udp://[2001:db8::10]:3702')).toEqual({ allowed: true, address: '2001:db8::10' });
  });

  it('refuses an excluded address and says so', async () => {
    const g = await guard();
    expect(g.checkUrl('https://10.0.0.5/')).toEqual({ allowed: false, reason: '10.0.0.5 is excluded' });
  });

  it('refuses host names the user did not give', async () => {
    const g = await guard();
    const d = g.checkUrl('http://evil.example/');
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reason).toContain('evil.example');
    // A non-special scheme keeps an inet_aton-style host opaque; it must not slip through as a name.
    expect(g.checkUrl('rtsp://0x0a.0.0.1/').allowed).toBe(false);
  });

  it('accepts a host name the user gave, in any case, and reports the name', async () => {
    const g = await guard();
    expect(g.checkUrl('http://cam.example.test/onvif/device_service')).toEqual({
      allowed: true,
      address: 'cam.example.test',
    });
    expect(g.checkUrl('RTSP://CAM.EXAMPLE.TEST./live')).toEqual({
      allowed: true,
      address: 'cam.example.test',
    });
  });

  it('handles a bracketed IPv4-mapped host', async () => {
    const g = await guard();
    expect(g.checkUrl('http://[::ffff:127.0.0.2]:8000/')).toEqual({ allowed: true, address: '127.0.0.2' });
    expect(g.checkUrl('http://[::ffff:10.9.9.9]/').allowed).toBe(false);
  });

  it('refuses unparsable URLs, other schemes and URLs without a host', async () => {
    const g = await guard();
    expect(g.checkUrl('not a url')).toEqual({ allowed: false, reason: '"not a url" is not a valid URL' });
    expect(g.checkUrl('ftp://10.0.0.7/').allowed).toBe(false);
    expect(g.checkUrl('file:///etc/passwd').allowed).toBe(false);
    expect(g.checkUrl('soap.udp:/no-host').allowed).toBe(false);
  });
});

describe('ScopeGuard.check and assert', () => {
  it('normalises brackets, zone ids and IPv4-mapped addresses', async () => {
    const g = await guard();
    expect(g.check('[::ffff:127.0.0.2]')).toEqual({ allowed: true, address: '127.0.0.2' });
    expect(g.check('::FFFF:10.0.0.9')).toEqual({ allowed: true, address: '10.0.0.9' });
    expect(g.check('2001:DB8::0:10%eth0')).toEqual({ allowed: true, address: '2001:db8::10' });
  });

  it('refuses non-IP strings, the network and broadcast addresses, and outsiders', async () => {
    const g = await guard();
    expect(g.check('cam.example.test')).toEqual({
      allowed: false,
      reason: '"cam.example.test" is not an IP address',
    });
    expect(g.check('1.2.3').allowed).toBe(false);
    expect(g.check('10.0.0.0').allowed).toBe(false);
    expect(g.check('10.0.0.255').allowed).toBe(false);
    expect(g.check('192.0.2.7')).toEqual({ allowed: true, address: '192.0.2.7' });
    expect(g.check('2001:db8::1:0')).toEqual({
      allowed: false,
      reason: "2001:db8::1:0 is not in the sweep's targets",
    });
  });

  it('assert returns the normalised address or throws OUT_OF_SCOPE with the address', async () => {
    const g = await guard();
    expect(g.assert('::ffff:10.0.0.9')).toBe('10.0.0.9');
    let err: unknown;
    try {
      g.assert('10.9.9.9');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CamsweepError);
    expect(err).toMatchObject({
      code: 'OUT_OF_SCOPE',
      message: "10.9.9.9 is not in the sweep's targets",
      context: { address: '10.9.9.9' },
    });
  });

  it('works with any set offering contains() and hostnames', () => {
    const g = createScopeGuard({
      contains: (a) => a === '10.1.1.1',
      hostnames: new Set(['nvr.example.test']),
    });
    expect(g.check('10.1.1.1')).toEqual({ allowed: true, address: '10.1.1.1' });
    expect(g.check('10.1.1.2')).toEqual({ allowed: false, reason: "10.1.1.2 is not in the sweep's targets" });
    expect(g.checkUrl('http://nvr.example.test/')).toEqual({ allowed: true, address: 'nvr.example.test' });
  });
});
