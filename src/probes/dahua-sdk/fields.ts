/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const DAHUA_SDK_FIELDS = {
  'sdk.realm': 'The realm a Dahua DVRIP port (TCP 37777) names in reply to the realm request ("Login to …")',
} as const;

export type DahuaSdkField = keyof typeof DAHUA_SDK_FIELDS;
