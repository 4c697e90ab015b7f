import type { Finding } from '../../core/finding.ts';
import { makerLabel } from '../device-labels.ts';
import { findingAnchor, type ReportContext } from './context.ts';
import { escapeHtml } from './escape.ts';
import { sev } from './verdict.ts';

/** The Findings section: one collapsible block per finding, in event order. */
export function renderFindings(ctx: ReportContext): string {
  const { set, siteOf } = ctx;
  // A finding sits in its device's site; a finding whose device is absent falls back to its own.
  const siteOfDevice = new Map(set.devices.map((d) => [d.id, siteOf(d)]));
  const blocks = set.findings
    .map((f, i) => renderFinding(f, findingAnchor(i), siteOfDevice.get(f.device) ?? siteOf(f), ctx.names))
    .join('\n');
  return `<section id="findings">
<h2>Findings (${set.findings.length})</h2>
${blocks || '<p class="muted">No device matched the policy.</p>'}
</section>`;
}

function renderFinding(f: Finding, id: string, site: string, names: (id: string) => string): string {
  const evidence = f.evidence.map(evidenceItem).join('');
  return `<details class="finding" id="${escapeHtml(id)}" data-severity="${escapeHtml(f.severity)}">
<summary>${sev(f.severity, f.severity.toUpperCase())} <span class="mono">${escapeHtml(f.addresses.join(', '))}</span> — ${escapeHtml(f.lineage)}${f.model ? ` <span class="mono">${escapeHtml(f.model)}</span>` : ''} <span class="muted">[${escapeHtml(f.confidence)}; ${escapeHtml(f.policy)} / ${escapeHtml(f.rule)}]</span></summary>
<dl>
<dt>Maker</dt><dd>${escapeHtml(makerLabel(f, names))}</dd>
<dt>Policy</dt><dd>${escapeHtml(f.policy)} / ${escapeHtml(f.rule)}</dd>
<dt>Site</dt><dd>${escapeHtml(site)}</dd>
<dt>Basis</dt><dd>${escapeHtml(f.basis)}</dd>
<dt>Action</dt><dd>${escapeHtml(f.action)}</dd>
<dt>Evidence</dt><dd><ul class="evidence">${evidence || '<li class="muted">none recorded</li>'}</ul></dd>
</dl>
</details>`;
}

function evidenceItem(e: Finding['evidence'][number]): string {
  const where = e.port !== undefined ? `${escapeHtml(e.host)}:${escapeHtml(e.port)}` : escapeHtml(e.host);
  return (
    `<li><code>${escapeHtml(e.field)}</code> = <code>${escapeHtml(JSON.stringify(e.value))}</code>` +
    ` <span class="muted">(${where})</span>` +
    `${e.probe ? ` <span class="muted">via ${escapeHtml(e.probe)}</span>` : ''}` +
    ` → ${escapeHtml(e.says)} <span class="muted">[fingerprint <code>${escapeHtml(e.fingerprint)}</code>]</span></li>`
  );
}
