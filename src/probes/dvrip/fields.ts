/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const DVRIP_FIELDS = {
  'dvrip.host_name': 'Xiongmai DVRIP discovery NetWork.NetCommon HostName',
  'dvrip.serial': 'Xiongmai DVRIP discovery SN',
  'dvrip.mac': 'Xiongmai DVRIP discovery MAC, normalised to aa:bb:cc:dd:ee:ff',
  'dvrip.device_type': 'Xiongmai DVRIP discovery DeviceType (numeric product code)',
  'dvrip.build_date': 'Xiongmai DVRIP discovery BuildDate of the firmware',
  'dvrip.firmware': 'Xiongmai DVRIP discovery Version (firmware), e.g. V4.02.R12.E7335520.12012.047502.00000',
  'dvrip.host_ip': 'Xiongmai DVRIP discovery HostIP (little-endian hex) as a dotted quad',
  'dvrip.tcp_port': 'Xiongmai DVRIP discovery TCPPort: the DVRIP/Sofia TCP port (34567 by default)',
  'dvrip.http_port': 'Xiongmai DVRIP discovery HttpPort',
} as const;

export type DvripField = keyof typeof DVRIP_FIELDS;
