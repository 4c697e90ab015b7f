export const DEVICE_TYPES = [
  'camera',
  'recorder',
  'camera-or-recorder',
  'access-control',
  'router',
  'switch',
  'access-point',
  'firewall',
  'printer',
  'nas',
  'voip-phone',
  'ups',
  'server',
  'iot',
  'other',
] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** What a fingerprint may say about a device. Makers and brands are vendors.yaml ids. */
export interface IdentityClaims {
  maker?: string;
  brand?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  deviceType?: DeviceType;
}

/** One fingerprint matching one observation. */
export interface Identification extends IdentityClaims {
  fingerprint: string;
  field: string;
  value: string;
  host: string;
  port?: number;
  probe?: string;
  certainty: number;
}
