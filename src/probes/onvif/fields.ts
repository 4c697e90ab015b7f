/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const ONVIF_FIELDS = {
  'onvif.auth':
    'ONVIF credentials: "auth-required" (refused without), "authenticated" (the user\'s WS-UsernameToken was accepted), "credentials-rejected"',
  'onvif.device.manufacturer': 'GetDeviceInformation Manufacturer',
  'onvif.device.model': 'GetDeviceInformation Model',
  'onvif.device.firmware': 'GetDeviceInformation FirmwareVersion',
  'onvif.device.serial': 'GetDeviceInformation SerialNumber',
  'onvif.device.hardware_id': 'GetDeviceInformation HardwareId',
  'onvif.system_time.utc': 'UTC time the device reported in GetSystemDateAndTime (ISO 8601)',
  'onvif.service.namespace': 'A service namespace from GetServices',
  'onvif.hostname': 'GetHostname HostnameInformation Name',
  'onvif.capabilities.device_xaddr': 'GetCapabilities Device XAddr: the device service address it advertises',
  'onvif.capabilities.extension_ns':
    'A non-standard (vendor) namespace URI declared in the GetCapabilities reply; shared by clones, never proof alone',
  'onvif.stream_uri_path': 'GetStreamUri MediaUri: the path and query of the stream address (host dropped)',
} as const;

export type OnvifField = keyof typeof ONVIF_FIELDS;
