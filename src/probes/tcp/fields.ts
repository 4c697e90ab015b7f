/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const TCP_FIELDS = {
  'tcp.open_port': 'A TCP port that accepted a connection',
} as const;

export type TcpField = keyof typeof TCP_FIELDS;
