import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/core/exchange.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import { observe } from '../../src/observations/observe.ts';
import { analyse } from '../../src/pipeline/analyse.ts';
import { loadPolicy } from '../../src/policy/load.ts';

const vendors = loadVendors();
const k = { library: loadLibrary(), vendors, policies: [loadPolicy('uk-nil-2022', vendors)] };

/** An exchange as another tool might hand it over: any protocol label, any port, often no request. */
function exchange(response: string, extra: Partial<Exchange> = {}): Exchange {
  return {
    type: 'exchange',
    host: '192.0.2.50',
    port: 8080,
    transport: 'tcp',
    protocol: 'http',
    response,
    encoding: 'utf8',
    ...extra,
  };
}

const values = (ex: Exchange, field: string) =>
  observe(ex)
    .filter((o) => o.field === field)
    .map((o) => o.value);

// Axis VAPIX Basic device information API, getAllProperties response example (Axis developer
// documentation, "Basic device information" page; public code-search id 6648995260).
const AXIS_BASIC_DEVICE_INFO = `{    "apiVersion": "1.0",    "context": "Client defined request ID",    "data": {        "propertyList": {            "Architecture": "mips",            "Brand": "AXIS",            "BuildDate": "Feb 14 2018 13:08",            "HardwareID": "714.4",            "ProdFullName": "AXIS Q3505 Mk II Fixed Dome Network Camera",            "ProdNbr": "Q3505 Mk II",            "ProdShortName": "AXIS Q3505 Mk II",            "ProdType": "Network Camera",            "ProdVariant": "",            "SerialNumber": "ACCC8E78B977",            "Soc": "Axis Artpec-5",            "SocSerialNumber": "00000000-00000000-44123C08-C840037D",            "Version": "8.20.1",            "WebURL": "http://www.axis.com"        }    }}`;

// Dahua HTTP API magicBox.cgi?action=getSystemInfo, the example answer in rroller/dahua
// custom_components/dahua/client.py (async_get_system_info docstring).
const DAHUA_SYSTEM_INFO =
  'appAutoStart=true\r\ndeviceType=IPC-HDW5831R-ZE\r\nhardwareVersion=1.00\r\nprocessor=S3LM\r\nserialNumber=4X7C5A1ZAG21L3F\r\nupdateSerial=IPC-HDW5830R-Z\r\n';

describe('documents are read by what they are', () => {
  it('Axis VAPIX JSON, as a bare body with no request: Axis, its model, firmware and serial', () => {
    const ex = exchange(AXIS_BASIC_DEVICE_INFO);
    expect(values(ex, 'doc.model')).toEqual(['Q3505 Mk II']);
    expect(values(ex, 'doc.firmware')).toEqual(['8.20.1']);
    const [device] = analyse([ex], k).devices;
    expect(device).toMatchObject({
      maker: 'axis',
      model: 'Q3505 Mk II',
      firmware: '8.20.1',
      serial: 'ACCC8E78B977',
    });
  });

  it('the same document inside an HTTP response on any port reads the same', () => {
    const framed = exchange(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n${AXIS_BASIC_DEVICE_INFO}`,
      { port: 443, protocol: 'tls' },
    );
    expect(analyse([framed], k).devices[0]).toMatchObject({ maker: 'axis', model: 'Q3505 Mk II' });
  });

  it("Dahua's getSystemInfo key=value answer: the model from deviceType, never the update channel", () => {
    const ex = exchange(DAHUA_SYSTEM_INFO);
    expect(values(ex, 'doc.model')).toEqual(['IPC-HDW5831R-ZE']);
    expect(values(ex, 'doc.serial')).toEqual(['4X7C5A1ZAG21L3F']);
    const [device] = analyse([ex], k).devices;
    expect(device?.maker).toBe('dahua');
    expect(device?.model).toBe('IPC-HDW5831R-ZE');
  });

  it("a document in Hikvision's ISAPI schema names Hikvision even without a device fact", () => {
    // A Hikvision device's LPListAuditSearchResult answer as recorded in a public ISAPI client's
    // tests (public code-search id 67791889198), cut after the status elements.
    const isapi = exchange(
      'HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n\r\n<?xml version="1.0" encoding="UTF-8"?>' +
        '<LPListAuditSearchResult version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">' +
        '<searchID>0</searchID><responseStatus>true</responseStatus>' +
        '<responseStatusStrg>OK</responseStatusStrg></LPListAuditSearchResult>',
    );
    expect(values(isapi, 'doc.namespace')).toEqual(['http://www.isapi.org/ver20/XMLSchema']);
    expect(analyse([isapi], k).devices[0]?.maker).toBe('hikvision');
  });

  it('an HTML login page is not mistaken for a document', () => {
    const html = exchange(
      'HTTP/1.1 200 OK\r\n\r\n<!DOCTYPE html><html><head><title>Login</title></head><body><p>model</p></body></html>',
    );
    expect(observe(html).filter((o) => o.field.startsWith('doc.'))).toEqual([]);
  });

  it('an entity declaration is refused, not expanded', () => {
    const bomb = exchange(
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><DeviceInfo><model>&a;</model></DeviceInfo>',
    );
    expect(observe(bomb).filter((o) => o.field.startsWith('doc.'))).toEqual([]);
  });

  it('a document too large to be device information is not parsed', () => {
    const big = exchange(`<DeviceInfo><model>X</model>${'<pad/>'.repeat(60_000)}</DeviceInfo>`);
    expect(observe(big).filter((o) => o.field.startsWith('doc.'))).toEqual([]);
  });
});
