import type { Device } from '../../core/device.ts';
import type { Finding } from '../../core/finding.ts';
import type { EventSet } from '../events.ts';
import { defaultSiteOf, type SiteOf } from './sites.ts';

export interface HtmlOptions {
  title?: string;
  /** When the report was rendered (ISO 8601); the caller supplies it so rendering stays pure. */
  generatedAt?: string;
  /** Vendor id → display name (vendors.yaml). */
  names?: (id: string) => string;
  fingerprintsVersion?: string;
  /** Groups devices and findings into sites; default: a `site` field when present, else "All sites". */
  siteOf?: SiteOf;
}

/** A finding and the id of its block in the Findings section, so a device row can link to it. */
export interface AnchoredFinding {
  finding: Finding;
  anchor: string;
}

/** What every section renderer needs, worked out once from the event set and the options. */
export interface ReportContext {
  set: EventSet;
  names: (id: string) => string;
  siteOf: SiteOf;
  findingsByDevice: Map<string, AnchoredFinding[]>;
  /** Policies the sweep ran plus any that only appear on findings, in first-seen order. */
  policyIds: string[];
  restricted: number;
  review: number;
}

/** Findings are numbered in event order, so anchors stay stable for the same JSONL input. */
export function findingAnchor(index: number): string {
  return `finding-${index + 1}`;
}

export function reportContext(set: EventSet, opts: HtmlOptions): ReportContext {
  const findingsByDevice = new Map<string, AnchoredFinding[]>();
  set.findings.forEach((f, i) => {
    const list = findingsByDevice.get(f.device) ?? [];
    list.push({ finding: f, anchor: findingAnchor(i) });
    findingsByDevice.set(f.device, list);
  });
  return {
    set,
    names: opts.names ?? ((id: string) => id),
    siteOf: opts.siteOf ?? defaultSiteOf,
    findingsByDevice,
    policyIds: [...new Set([...(set.summary?.policies ?? []), ...set.findings.map((f) => f.policy)])],
    restricted: set.findings.filter((f) => f.severity === 'restricted').length,
    review: set.findings.filter((f) => f.severity === 'review').length,
  };
}

export function findingsOf(ctx: ReportContext, d: Device): AnchoredFinding[] {
  return ctx.findingsByDevice.get(d.id) ?? [];
}
