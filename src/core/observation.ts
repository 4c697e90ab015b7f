import type { FieldName } from '../observations/fields.ts';

/** A named fact parsed from an exchange (or supplied directly, e.g. from another tool). */
export interface Observation {
  type: 'observation';
  host: string;
  port?: number;
  field: FieldName;
  value: string;
  /** The probe whose exchange produced it. */
  probe?: string;
}
