/**
 * Facts read from a device-information document by what it is, whatever the port, path or
 * request it came with (Hikvision ISAPI DeviceInfo, Dahua/Amcrest CGI key=value answers, Axis
 * VAPIX JSON and parameter lists, other makers' device-info XML and JSON).
 */
export const DOCUMENT_FIELDS = {
  'doc.kind': 'What the document is: xml:<root element>, json, or keyvalue',
  'doc.namespace': 'The namespace URI a device-information XML document declares (a vendor domain)',
  'doc.manufacturer': 'A manufacturer, vendor or brand element/key of a device-information document',
  'doc.product': 'A full product name of a device-information document (e.g. "AXIS M3045-V Network Camera")',
  'doc.model': 'A model element/key of a device-information document (model, deviceType, ProdNbr …)',
  'doc.firmware':
    'A firmware or software version of a device-information document, with its build when given',
  'doc.serial': 'A serial number of a device-information document',
  'doc.device_name': 'The name the owner gave the device (deviceName, MachineName)',
  'doc.device_type': 'A device class of a device-information document (IPCamera, NVR, IPC …)',
  'doc.hardware_version': 'A hardware version of a device-information document',
} as const;

export type DocumentField = keyof typeof DOCUMENT_FIELDS;
