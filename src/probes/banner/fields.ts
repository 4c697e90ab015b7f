/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const BANNER_FIELDS = {
  'telnet.banner':
    'One line of what a telnet port says on connect (IAC negotiation removed; one observation per line)',
  'ftp.banner': 'One line of the greeting an FTP port sends on connect (one observation per line)',
} as const;

export type BannerField = keyof typeof BANNER_FIELDS;
