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
