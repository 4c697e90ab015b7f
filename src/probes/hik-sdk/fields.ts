/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const HIK_SDK_FIELDS = {
  'sdk.banner': 'Bytes a vendor SDK port (Hikvision 8000) volunteered on connect without being asked, as hex',
} as const;

export type HikSdkField = keyof typeof HIK_SDK_FIELDS;
