import type { Device } from '../../core/device.ts';
import type { Finding, Severity } from '../../core/finding.ts';
import { isIdentified } from '../device-labels.ts';
import type { AnchoredFinding } from './context.ts';
import { escapeHtml } from './escape.ts';

/** The verdict column: a finding's severity, or whether a finding-free device was identified at all. */
export type Verdict = Severity | 'none' | 'unidentified';

const SEVERITY_RANK: Record<Severity, number> = { restricted: 2, review: 1 };
const CONFIDENCE_RANK = { confirmed: 3, probable: 2, possible: 1 } as const;

/** The most serious finding for a device across all policies. */
export function worstFinding(findings: readonly Finding[]): Finding | undefined {
  let worst: Finding | undefined;
  for (const f of findings) {
    if (
      !worst ||
      SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst.severity] ||
      (SEVERITY_RANK[f.severity] === SEVERITY_RANK[worst.severity] &&
        CONFIDENCE_RANK[f.confidence] > CONFIDENCE_RANK[worst.confidence])
    )
      worst = f;
  }
  return worst;
}

/** A device's verdict and the finding that decides it (none when the device has no finding). */
export function assess(
  d: Device,
  flagged: readonly AnchoredFinding[],
): { worst?: Finding; verdict: Verdict } {
  const worst = worstFinding(flagged.map((x) => x.finding));
  if (worst) return { worst, verdict: worst.severity };
  return { verdict: isIdentified(d) ? 'none' : 'unidentified' };
}

/** Sort order of the verdict column: restricted-confirmed first when descending. */
export function verdictRank(worst: Finding | undefined, verdict: Verdict): number {
  if (worst) return SEVERITY_RANK[worst.severity] * 10 + CONFIDENCE_RANK[worst.confidence];
  return verdict === 'unidentified' ? 1 : 0;
}

/** A coloured verdict badge. */
export function sev(verdict: Verdict, label: string = verdict): string {
  return `<span class="sev sev-${verdict}">${escapeHtml(label)}</span>`;
}
