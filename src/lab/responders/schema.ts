/** Every responder config carries the public sources of its responses (fixtures/README.md). */
export const PROVENANCE_SCHEMA = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    required: ['fact', 'source'],
    additionalProperties: false,
    properties: { fact: { type: 'string' }, source: { type: 'string' }, note: { type: 'string' } },
  },
} as const;

/**
 * A config that is one reply template (dhip.yaml, dvrip.yaml, sadp.yaml): its provenance, the
 * `reply`, and with `trailer` the bytes sent after it.
 */
export function replyConfigSchema(opts: { trailer?: boolean } = {}): object {
  return {
    type: 'object',
    required: ['provenance', 'reply'],
    additionalProperties: false,
    properties: {
      provenance: PROVENANCE_SCHEMA,
      reply: { type: 'string', minLength: 2 },
      ...(opts.trailer ? { trailer: { type: 'string' } } : {}),
    },
  };
}
