import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/core/exchange.ts';
import { redact, redactExchange } from '../../src/core/redact.ts';
import { readEvidence } from '../../src/pipeline/evidence.ts';

const temp = mkdtempSync(join(tmpdir(), 'camsweep-record-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('redact: secrets never reach a recording', () => {
  it('removes the credentials of an Authorization: Digest header and keeps the other headers', () => {
    const request =
      'GET /ISAPI/System/deviceInfo HTTP/1.1\r\n' +
      'Host: 10.0.0.1\r\n' +
      'Authorization: Digest username="admin", realm="IP Camera(C2183)", nonce="4e54", uri="/ISAPI/System/deviceInfo", response="6629fae49393a05397450978507c4ef1"\r\n' +
      'Connection: close\r\n\r\n';
    const out = redact(request);
    expect(out).not.toContain('admin');
    expect(out).not.toContain('6629fae49393a05397450978507c4ef1');
    expect(out).toContain('Authorization: Digest [redacted]\r\n');
    expect(out).toContain('Host: 10.0.0.1\r\n');
    expect(out).toContain('Connection: close\r\n');
  });

  it('removes Basic credentials and Proxy-Authorization too', () => {
    const out = redact(
      'Authorization: Basic YWRtaW46MTIzNDU=\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n',
    );
    expect(out).not.toContain('YWRtaW46MTIzNDU=');
    expect(out).not.toContain('dXNlcjpwYXNz');
  });

  it('removes the contents of a WS-Security UsernameToken', () => {
    const soap = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>
<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
<wsse:UsernameToken wsu:Id="UsernameToken-1">
<wsse:Username>admin</wsse:Username>
<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">tuOSpGlFlIXsozq4HFNeeGeFLEI=</wsse:Password>
<wsse:Nonce>LKqI6G/AikKCQrN0zqZFlg==</wsse:Nonce>
</wsse:UsernameToken></wsse:Security></s:Header>
<s:Body><GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>`;
    const out = redact(soap);
    expect(out).not.toContain('admin');
    expect(out).not.toContain('tuOSpGlFlIXsozq4HFNeeGeFLEI=');
    expect(out).not.toContain('LKqI6G/AikKCQrN0zqZFlg==');
    expect(out).toContain('[redacted]');
    expect(out).toContain('<GetDeviceInformation');
  });

  it('removes a JSON password value', () => {
    const out = redact(
      '{"method":"global.login","params":{"userName":"admin","password":"x","clientType":"Web3.0"}}',
    );
    expect(out).toBe(
      '{"method":"global.login","params":{"userName":"admin","password":"[redacted]","clientType":"Web3.0"}}',
    );
    expect(redact('{"pass": "s3cr\\"et"}')).toBe('{"pass": "[redacted]"}');
  });

  it('redactExchange applies to the request of an exchange', () => {
    const ex: Exchange = {
      type: 'exchange',
      host: '10.0.0.1',
      port: 80,
      transport: 'tcp',
      protocol: 'http',
      request: 'GET / HTTP/1.1\r\nAuthorization: Basic YWRtaW46MTIzNDU=\r\n\r\n',
      response: 'HTTP/1.1 200 OK\r\n\r\n',
      encoding: 'utf8',
    };
    expect(redactExchange(ex).request).not.toContain('YWRtaW46MTIzNDU=');
  });
});

describe('readEvidence', () => {
  it('keeps valid exchange and observation lines and reports the others as file:line', async () => {
    const path = join(temp, 'evidence.jsonl');
    const lines = [
      /* 1 */ JSON.stringify({
        type: 'exchange',
        host: '10.0.0.1',
        port: 80,
        transport: 'tcp',
        protocol: 'http',
        response: 'HTTP/1.1 200 OK\r\nServer: App-webs/\r\n\r\n',
        encoding: 'utf8',
      }),
      /* 2 */ JSON.stringify({ type: 'exchange', host: '10.0.0.1', transport: 'tcp', protocol: 'http' }),
      /* 3 */ JSON.stringify({
        type: 'observation',
        host: '10.0.0.2',
        field: 'http.auth.realm',
        value: 'Login to Amcrest',
      }),
      /* 4 */ JSON.stringify({ type: 'observation', host: '10.0.0.2', port: '80', field: 'x', value: 'y' }),
      /* 5 */ '{"type":"observation",',
      /* 6 */ '',
      /* 7 */ JSON.stringify({ type: 'device', id: 'ip-10.0.0.3' }),
      /* 8 */ JSON.stringify({
        type: 'exchange',
        host: '10.0.0.4',
        transport: 'carrier-pigeon',
        protocol: 'http',
        response: '',
        encoding: 'utf8',
      }),
    ];
    writeFileSync(path, `${lines.join('\n')}\n`);
    const r = await readEvidence(path);
    expect(r.lines.map((l) => [l.type, l.host])).toEqual([
      ['exchange', '10.0.0.1'],
      ['observation', '10.0.0.2'],
    ]);
    expect(r.rejected.map((m) => m.slice(0, m.indexOf(': ') + 2))).toEqual([
      `${path}:2: `,
      `${path}:4: `,
      `${path}:5: `,
      `${path}:8: `,
    ]);
    for (const m of r.rejected) expect(m).not.toContain('\n');
    expect(r.rejected[0]).toContain('response');
    expect(r.rejected[2]).toContain('not JSON');
  });
});
