/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const DHIP_FIELDS = {
  'dhip.device_type': 'DHIP (Dahua discovery, UDP 37810) deviceInfo.DeviceType: the model',
  'dhip.serial': 'DHIP deviceInfo.SerialNo',
  'dhip.version': 'DHIP deviceInfo.Version: the firmware version',
  'dhip.vendor': 'DHIP deviceInfo.Vendor: the brand set in the firmware (General, Dahua, an OEM name)',
  'dhip.manufacturer': 'DHIP deviceInfo.Manufacturer (General, Private …), when present',
  'dhip.device_class': 'DHIP deviceInfo.DeviceClass (IPC, HCVR, NVR …)',
  'dhip.machine_name': 'DHIP deviceInfo.MachineName',
  'dhip.http_port': 'DHIP deviceInfo.HttpPort: the advertised web port',
  'dhip.port': 'DHIP deviceInfo.Port: the advertised DVRIP/SDK TCP port (37777 by default)',
  'dhip.ipv4_address': 'DHIP deviceInfo.IPv4Address.IPAddress: the address the device says it has',
  'dhip.realm': 'The realm of a DHIP login challenge (params.realm, "Login to <serial or model>")',
} as const;

export type DhipField = keyof typeof DHIP_FIELDS;
