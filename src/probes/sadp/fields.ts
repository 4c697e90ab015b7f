/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const SADP_FIELDS = {
  'sadp.types': 'SADP ProbeMatch Types (the echo of the inquiry, "inquiry")',
  'sadp.device_type': 'SADP DeviceType: numeric Hikvision product-class code',
  'sadp.device_description': 'SADP DeviceDescription: the model, e.g. DS-2CD2385G1-I',
  'sadp.serial': 'SADP DeviceSN: model + YYYYMMDD + letters + digits on Hikvision firmware',
  'sadp.mac': 'SADP MAC, normalised to aa:bb:cc:dd:ee:ff',
  'sadp.ipv4_address': 'SADP IPv4Address: the address the device says it has',
  'sadp.software_version': 'SADP SoftwareVersion: firmware, e.g. "V5.6.2build 190701"',
  'sadp.dsp_version': 'SADP DSPVersion: encoder/DSP firmware',
  'sadp.activated': 'SADP Activated, read leniently ("true"/"false"; false = no admin password set yet)',
  'sadp.oem_info': 'SADP OEMInfo: OEM customisation string',
  'sadp.oem_code': 'SADP DetailOEMCode: OEM customisation code',
  'sadp.command_port': 'SADP CommandPort: the SDK/private protocol TCP port (8000 by default)',
  'sadp.http_port': 'SADP HttpPort: the advertised web port',
} as const;

export type SadpField = keyof typeof SADP_FIELDS;
