/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const UPNP_FIELDS = {
  'upnp.manufacturer': 'UPnP device description <manufacturer> (root device)',
  'upnp.model_name': 'UPnP device description <modelName>',
  'upnp.model_number': 'UPnP device description <modelNumber>',
  'upnp.model_description': 'UPnP device description <modelDescription>',
  'upnp.serial': 'UPnP device description <serialNumber>',
  'upnp.friendly_name': 'UPnP device description <friendlyName>',
  'upnp.udn': 'UPnP device description <UDN> (uuid:…)',
  'upnp.device_type': 'UPnP device description <deviceType> (urn:schemas-upnp-org:device:…)',
  'upnp.presentation_url': 'UPnP device description <presentationURL> (as advertised; never dialled)',
  'upnp.manufacturer_url':
    "UPnP device description <manufacturerURL>: the maker's web address (never dialled)",
  'upnp.model_url': 'UPnP device description <modelURL> (never dialled)',
} as const;

export type UpnpField = keyof typeof UPNP_FIELDS;
