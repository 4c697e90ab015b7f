import type { Severity } from '../core/finding.ts';
import type { DeviceType } from '../core/identification.ts';

export interface PolicyRule {
  id: string;
  severity: Severity;
  makers: string[];
  includeSubsidiaries: boolean;
  includeOem: boolean;
  /** Only devices of these types; a device whose type is unknown is still covered. */
  deviceTypes?: DeviceType[];
  basis: string;
  action: string;
  references: string[];
}

export interface Policy {
  id: string;
  title: string;
  jurisdiction: string;
  reference: string;
  date: string;
  summary?: string;
  interpretation?: string;
  rules: PolicyRule[];
  /** Where it was loaded from, for messages. */
  path: string;
}
