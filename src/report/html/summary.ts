import type { ReportContext } from './context.ts';
import { findingsOf } from './context.ts';
import { escapeHtml } from './escape.ts';
import { ALL_SITES } from './sites.ts';
import { assess } from './verdict.ts';

/** The Summary section: headline counts, then findings per policy and per site. */
export function renderSummary(ctx: ReportContext): string {
  const { set } = ctx;
  const unidentified = set.devices.filter(
    (d) => assess(d, findingsOf(ctx, d)).verdict === 'unidentified',
  ).length;
  return `<section id="summary">
<h2>Summary</h2>
<div class="cards">
<div class="card">Devices<b id="count-devices">${set.devices.length}</b></div>
<div class="card">Findings<b id="count-findings">${set.findings.length}</b></div>
<div class="card">Restricted<b id="count-restricted">${ctx.restricted}</b></div>
<div class="card">Review<b id="count-review">${ctx.review}</b></div>
<div class="card">Devices flagged<b id="count-flagged">${ctx.findingsByDevice.size}</b></div>
<div class="card">Unidentified<b id="count-unidentified">${unidentified}</b></div>
</div>
<h3>By policy</h3>
<table id="policy-summary">
<thead><tr><th scope="col">Policy</th><th scope="col">Restricted</th><th scope="col">Review</th><th scope="col">Devices</th></tr></thead>
<tbody>
${policyRows(ctx) || '<tr><td colspan="4" class="muted">No policy recorded.</td></tr>'}
</tbody>
</table>
<h3>By site</h3>
<table id="site-summary">
<thead><tr><th scope="col">Site</th><th scope="col">Devices</th><th scope="col">Restricted</th><th scope="col">Review</th></tr></thead>
<tbody>
${siteRows(ctx)}
</tbody>
</table>
</section>`;
}

function policyRows(ctx: ReportContext): string {
  return ctx.policyIds
    .map((p) => {
      const fs = ctx.set.findings.filter((f) => f.policy === p);
      const r = fs.filter((f) => f.severity === 'restricted').length;
      const v = fs.filter((f) => f.severity === 'review').length;
      return `<tr data-policy="${escapeHtml(p)}"><td class="mono">${escapeHtml(p)}</td><td class="num">${r}</td><td class="num">${v}</td><td class="num">${new Set(fs.map((f) => f.device)).size}</td></tr>`;
    })
    .join('\n');
}

/** Grouped through `siteOf`, so a `site` field can drive it later; one "All sites" row when empty. */
function siteRows(ctx: ReportContext): string {
  const sites = new Map<string, { devices: number; restricted: number; review: number }>();
  const siteEntry = (name: string) => {
    let e = sites.get(name);
    if (!e) {
      e = { devices: 0, restricted: 0, review: 0 };
      sites.set(name, e);
    }
    return e;
  };
  for (const d of ctx.set.devices) siteEntry(ctx.siteOf(d)).devices++;
  for (const f of ctx.set.findings) siteEntry(ctx.siteOf(f))[f.severity]++;
  if (sites.size === 0) siteEntry(ALL_SITES);
  return [...sites.entries()]
    .map(
      ([name, c]) =>
        `<tr><td>${escapeHtml(name)}</td><td class="num">${c.devices}</td><td class="num">${c.restricted}</td><td class="num">${c.review}</td></tr>`,
    )
    .join('\n');
}
