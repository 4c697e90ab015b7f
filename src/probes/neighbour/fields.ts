/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const NEIGHBOUR_FIELDS = {
  'mac.address': 'A MAC address seen for the host (neighbour table, scopes, discovery replies)',
  'mac.oui.org': 'The IEEE registrant of the MAC prefix (longest match)',
} as const;

export type NeighbourField = keyof typeof NEIGHBOUR_FIELDS;
