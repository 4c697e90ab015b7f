import type { DocumentField } from './fields.ts';

/**
 * Element and key names device-information documents use, lowercased, by the fact they carry.
 * Sources: Hikvision ISAPI /ISAPI/System/deviceInfo (model, serialNumber, macAddress,
 * firmwareVersion, firmwareReleasedDate, deviceType); Dahua HTTP API getSystemInfo / getVendor /
 * getSoftwareVersion / getMachineName (deviceType, serialNumber, hardwareVersion, vendor, version,
 * name); Axis VAPIX basicdeviceinfo and param.cgi Brand/Properties groups (Brand, ProdNbr,
 * ProdFullName, SerialNumber, Version). A key path's last segment is what counts ("root.Brand.ProdNbr").
 */
export const DOCUMENT_KEYS: Readonly<Record<string, DocumentField | 'mac.address'>> = {
  manufacturer: 'doc.manufacturer',
  vendor: 'doc.manufacturer',
  brand: 'doc.manufacturer',
  mfr: 'doc.manufacturer',
  make: 'doc.manufacturer',
  model: 'doc.model',
  modelname: 'doc.model',
  modelnumber: 'doc.model',
  prodnbr: 'doc.model',
  devicemodel: 'doc.model',
  prodfullname: 'doc.product',
  prodshortname: 'doc.product',
  productname: 'doc.product',
  firmwareversion: 'doc.firmware',
  softwareversion: 'doc.firmware',
  version: 'doc.firmware',
  firmware: 'doc.firmware',
  serialnumber: 'doc.serial',
  serialno: 'doc.serial',
  sn: 'doc.serial',
  devicename: 'doc.device_name',
  machinename: 'doc.device_name',
  devicetype: 'doc.device_type',
  prodtype: 'doc.device_type',
  deviceclass: 'doc.device_type',
  hardwareversion: 'doc.hardware_version',
  macaddress: 'mac.address',
  mac: 'mac.address',
};

/**
 * Dahua's getSystemInfo names the model `deviceType` while ISAPI's `deviceType` is a class
 * ("IPCamera"): a value that looks like a model code is the model.
 */
export function looksLikeModelCode(value: string): boolean {
  return /^[A-Z0-9]{2,}[A-Z0-9]*-[A-Z0-9][A-Z0-9/()+-]*$/i.test(value) && /\d/.test(value);
}
