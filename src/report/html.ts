import { createHash } from 'node:crypto';
import type { Device } from '../core/device.ts';
import type { Finding, Severity } from '../core/finding.ts';
import type { EventSet } from './events.ts';

/**
 * One self-contained HTML report (issue #5): inline CSS and script, no network fetches (a CSP meta
 * tag forbids them), readable and printable without JavaScript. Every device-supplied string is
 * escaped; nothing from the sweep is ever placed inside the executable script.
 */

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

export type SiteOf = (event: Device | Finding) => string;

export const ALL_SITES = 'All sites';

/** Events carry no `site` field yet; when they do, grouping follows it without a change here. */
export const defaultSiteOf: SiteOf = (event) => {
  const site = (event as { site?: unknown }).site;
  return typeof site === 'string' && site.trim() !== '' ? site : ALL_SITES;
};

/** Device strings are attacker-controlled: no control or bidi-override characters, no overlong values. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const UNSAFE_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;
const MAX_TEXT = 4000;

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  let s = String(value).replace(UNSAFE_CHARS, '\ufffd');
  if (s.length > MAX_TEXT) s = `${s.slice(0, MAX_TEXT - 1)}…`;
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** JSON that is safe inside <script type="application/json">: no `<`, `>`, `&` or line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

type Verdict = Severity | 'none' | 'unidentified';

const SEVERITY_RANK: Record<Severity, number> = { restricted: 2, review: 1 };
const CONFIDENCE_RANK = { confirmed: 3, probable: 2, possible: 1 } as const;

/** The most serious finding for a device across all policies. */
function worstFinding(findings: readonly Finding[]): Finding | undefined {
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

function verdictOf(d: Device, worst: Finding | undefined): Verdict {
  if (worst) return worst.severity;
  if (d.maker || (d.deviceType && !['camera', 'recorder', 'camera-or-recorder'].includes(d.deviceType)))
    return 'none';
  return 'unidentified';
}

/** Sort order of the verdict column: restricted-confirmed first when descending. */
function verdictRank(worst: Finding | undefined, verdict: Verdict): number {
  if (worst) return SEVERITY_RANK[worst.severity] * 10 + CONFIDENCE_RANK[worst.confidence];
  return verdict === 'unidentified' ? 1 : 0;
}

function makerLabel(d: { maker?: string; brand?: string }, names: (id: string) => string): string {
  if (!d.maker) return '';
  if (d.brand && d.brand !== d.maker) return `${names(d.brand)} (made by ${names(d.maker)})`;
  return names(d.maker);
}

/** A sort key that orders IPv4 addresses numerically. */
function addressKey(address: string | undefined): string {
  if (!address) return '';
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)/.exec(address);
  if (!m) return address.toLowerCase();
  return m
    .slice(1, 5)
    .map((o) => o.padStart(3, '0'))
    .join('.');
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

const CSS = `
:root{--fg:#1b1f24;--muted:#5b636d;--line:#d5d9de;--bg:#fff;--soft:#f4f6f8;--red:#b3261e;--red-bg:#fde8e7;--amber:#8a5a00;--amber-bg:#fff4d6;--ok:#2e6b30}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:1.5rem;max-width:1400px}
h1{font-size:1.5rem;margin:0 0 .5rem}
h2{font-size:1.15rem;margin:1.75rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0;color:var(--muted)}
.meta dt{font-weight:600}
.meta dd{margin:0;color:var(--fg);overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:.5rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.5rem .85rem;min-width:9rem;background:var(--soft)}
.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;margin:.25rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
td.addr{white-space:nowrap}
thead th{background:var(--soft)}
#device-table thead th{position:sticky;top:0}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
#policy-summary,#site-summary{width:auto;min-width:32rem}
.sev{display:inline-block;border-radius:3px;padding:0 .4rem;font-weight:600;white-space:nowrap}
.sev-restricted{background:var(--red-bg);color:var(--red)}
.sev-review{background:var(--amber-bg);color:var(--amber)}
.sev-none{color:var(--ok)}
.sev-unidentified{color:var(--muted)}
.controls{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin:.75rem 0;padding:.5rem .75rem;background:var(--soft);border:1px solid var(--line);border-radius:6px}
.controls input[type=search]{min-width:18rem;padding:.25rem .4rem}
details.finding{border:1px solid var(--line);border-left:4px solid var(--line);border-radius:4px;margin:.5rem 0;padding:.4rem .75rem}
details.finding[data-severity=restricted]{border-left-color:var(--red)}
details.finding[data-severity=review]{border-left-color:var(--amber)}
details.finding summary{cursor:pointer}
details.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .9rem;margin:.5rem 0}
details.finding dt{font-weight:600;color:var(--muted)}
details.finding dd{margin:0;overflow-wrap:anywhere}
ul.evidence{margin:.25rem 0 .25rem 1.25rem;padding:0}
ul.evidence li{margin:.15rem 0;overflow-wrap:anywhere}
.muted{color:var(--muted)}
@media print{
  body{padding:0;max-width:none;font-size:11px}
  .controls,.noprint,th button::after{display:none!important}
  #device-table thead th{position:static}
  td.addr{white-space:normal}
  details.finding{break-inside:avoid}
  details::details-content{content-visibility:visible;display:block}
  details.finding summary{list-style:none}
  a{color:inherit;text-decoration:none}
}
`;

/** The only script in the page: static, no template values, so the CSP can pin it by hash. */
const SCRIPT = `
(function () {
  'use strict';
  var doc = document;
  var controls = doc.getElementById('controls');
  var text = doc.getElementById('filter-text');
  var sev = doc.getElementById('filter-severity');
  var tbody = doc.querySelector('#device-table tbody');
  if (!controls || !text || !sev || !tbody) return;
  controls.hidden = false;
  var rows = Array.prototype.slice.call(tbody.rows);
  var findings = Array.prototype.slice.call(doc.querySelectorAll('details.finding'));
  function matches(el, q, s) {
    if (s && el.getAttribute('data-severity') !== s) return false;
    return !q || el.textContent.toLowerCase().indexOf(q) !== -1;
  }
  function apply() {
    var q = text.value.trim().toLowerCase();
    var s = sev.value;
    var nd = 0;
    var nf = 0;
    rows.forEach(function (r) { var ok = matches(r, q, s); r.hidden = !ok; if (ok) nd++; });
    findings.forEach(function (f) { var ok = matches(f, q, s); f.hidden = !ok; if (ok) nf++; });
    doc.getElementById('shown-devices').textContent = String(nd);
    doc.getElementById('shown-findings').textContent = String(nf);
  }
  text.addEventListener('input', apply);
  sev.addEventListener('change', apply);
  var heads = Array.prototype.slice.call(doc.querySelectorAll('#device-table thead th'));
  function key(row, i) {
    var c = row.cells[i];
    if (!c) return '';
    var k = c.getAttribute('data-sort');
    return k === null ? c.textContent.trim().toLowerCase() : k;
  }
  heads.forEach(function (th, i) {
    var b = th.querySelector('button');
    if (!b) return;
    b.addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      var numeric = th.getAttribute('data-type') === 'number';
      rows.sort(function (a, b2) {
        var x = key(a, i);
        var y = key(b2, i);
        if (numeric) return dir * ((parseFloat(x) || 0) - (parseFloat(y) || 0));
        return dir * (x < y ? -1 : x > y ? 1 : 0);
      });
      rows.forEach(function (r) { tbody.appendChild(r); });
    });
  });
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? doc.getElementById(id) : null;
    if (el && el.tagName === 'DETAILS') el.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  var reopened = [];
  window.addEventListener('beforeprint', function () {
    reopened = [];
    doc.querySelectorAll('details').forEach(function (d) { if (!d.open) { reopened.push(d); d.open = true; } });
  });
  window.addEventListener('afterprint', function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });
})();
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** No fetches of any kind: the only script and style are the two inline blocks above. */
const CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(CSS)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function sev(verdict: Verdict, label: string = verdict): string {
  return `<span class="sev sev-${verdict}">${escapeHtml(label)}</span>`;
}

function renderFinding(f: Finding, id: string, site: string, names: (id: string) => string): string {
  const evidence = f.evidence
    .map(
      (e) =>
        `<li><code>${escapeHtml(e.field)}</code> = <code>${escapeHtml(JSON.stringify(e.value))}</code>` +
        `${e.port !== undefined ? ` <span class="muted">(${escapeHtml(e.host)}:${escapeHtml(e.port)})</span>` : ` <span class="muted">(${escapeHtml(e.host)})</span>`}` +
        `${e.probe ? ` <span class="muted">via ${escapeHtml(e.probe)}</span>` : ''}` +
        ` → ${escapeHtml(e.says)} <span class="muted">[fingerprint <code>${escapeHtml(e.fingerprint)}</code>]</span></li>`,
    )
    .join('');
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

/** Pure: an event set in, one self-contained HTML document out. */
export function renderHtml(set: EventSet, opts: HtmlOptions = {}): string {
  const names = opts.names ?? ((id: string) => id);
  const siteOf = opts.siteOf ?? defaultSiteOf;
  const title = opts.title ?? 'camsweep report';
  const s = set.summary;

  const findingsByDevice = new Map<string, { finding: Finding; anchor: string }[]>();
  set.findings.forEach((f, i) => {
    const list = findingsByDevice.get(f.device) ?? [];
    list.push({ finding: f, anchor: `finding-${i + 1}` });
    findingsByDevice.set(f.device, list);
  });

  const restricted = set.findings.filter((f) => f.severity === 'restricted').length;
  const review = set.findings.filter((f) => f.severity === 'review').length;
  const flaggedDevices = findingsByDevice.size;

  // Header
  const meta: [string, string][] = [];
  if (opts.generatedAt) meta.push(['Generated', escapeHtml(opts.generatedAt)]);
  if (s) {
    meta.push(['Sweep', `${escapeHtml(s.startedAt)} – ${escapeHtml(s.finishedAt)}`]);
    meta.push([
      'Status',
      s.complete
        ? 'complete'
        : `<span class="sev sev-review">interrupted (${escapeHtml(s.interruptedBy ?? 'stopped')})</span>`,
    ]);
    meta.push(['camsweep', `<span id="camsweep-version">${escapeHtml(s.version)}</span>`]);
  }
  const fp: string[] = [];
  if (opts.fingerprintsVersion) fp.push(`library ${escapeHtml(opts.fingerprintsVersion)}`);
  if (s) fp.push(`${escapeHtml(s.fingerprints)} fingerprints`);
  if (fp.length) meta.push(['Fingerprints', fp.join(', ')]);
  if (s?.command) meta.push(['Command', `<code id="command">${escapeHtml(s.command)}</code>`]);
  if (s) {
    meta.push([
      'Scope',
      `<span class="mono" id="scope">${escapeHtml(s.targets.join(' '))}</span> <span class="muted">(${escapeHtml(s.addresses.done)} of ${escapeHtml(s.addresses.total)} addresses swept, ${escapeHtml(s.addresses.live)} live, ${escapeHtml(s.addresses.untested)} untested${s.outOfScope ? `, ${escapeHtml(s.outOfScope)} out of scope` : ''})</span>`,
    ]);
  }
  const policyIds = [...new Set([...(s?.policies ?? []), ...set.findings.map((f) => f.policy)])];
  meta.push([
    'Policies',
    policyIds.length ? escapeHtml(policyIds.join(', ')) : '<span class="muted">none recorded</span>',
  ]);
  if (s && Object.keys(s.statuses).length) {
    meta.push([
      'Probe results',
      escapeHtml(
        Object.entries(s.statuses)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      ),
    ]);
  }

  // Per-policy summary
  const policyRows = policyIds
    .map((p) => {
      const fs = set.findings.filter((f) => f.policy === p);
      const r = fs.filter((f) => f.severity === 'restricted').length;
      const v = fs.filter((f) => f.severity === 'review').length;
      return `<tr data-policy="${escapeHtml(p)}"><td class="mono">${escapeHtml(p)}</td><td class="num">${r}</td><td class="num">${v}</td><td class="num">${new Set(fs.map((f) => f.device)).size}</td></tr>`;
    })
    .join('\n');

  // Per-site summary (a grouping function, so a `site` field can be added later)
  const sites = new Map<string, { devices: number; restricted: number; review: number }>();
  const siteEntry = (name: string) => {
    let e = sites.get(name);
    if (!e) {
      e = { devices: 0, restricted: 0, review: 0 };
      sites.set(name, e);
    }
    return e;
  };
  for (const d of set.devices) siteEntry(siteOf(d)).devices++;
  for (const f of set.findings) siteEntry(siteOf(f))[f.severity]++;
  if (sites.size === 0) siteEntry(ALL_SITES);
  const siteRows = [...sites.entries()]
    .map(
      ([name, c]) =>
        `<tr><td>${escapeHtml(name)}</td><td class="num">${c.devices}</td><td class="num">${c.restricted}</td><td class="num">${c.review}</td></tr>`,
    )
    .join('\n');

  // Device table
  const deviceRows = set.devices
    .map((d) => {
      const fs = findingsByDevice.get(d.id) ?? [];
      const worst = worstFinding(fs.map((x) => x.finding));
      const verdict = verdictOf(d, worst);
      const anchor = fs.find((x) => x.finding === worst)?.anchor;
      const label = worst ? `${worst.severity} (${worst.confidence})` : verdict;
      const verdictCell = anchor
        ? `<a href="#${anchor}">${sev(verdict, label)}</a>${fs.length > 1 ? ` <span class="muted">+${fs.length - 1}</span>` : ''}`
        : `${sev(verdict, label)}${verdict === 'unidentified' && d.notes[0] ? ` <span class="muted">${escapeHtml(d.notes[0])}</span>` : ''}`;
      const policies = [...new Set(fs.map((x) => x.finding.policy))].join(', ');
      const certainty = d.maker ? d.certainty.toFixed(2) : '';
      return `<tr data-severity="${verdict}" data-device="${escapeHtml(d.id)}">
<td class="mono addr" data-sort="${escapeHtml(addressKey(d.addresses[0]))}">${d.addresses.map(escapeHtml).join('<br>')}</td>
<td>${escapeHtml(siteOf(d))}</td>
<td>${escapeHtml(makerLabel(d, names))}</td>
<td class="mono">${escapeHtml(d.model)}</td>
<td class="mono">${escapeHtml(d.firmware)}</td>
<td>${escapeHtml(d.deviceType)}</td>
<td class="mono">${escapeHtml(d.mac)}</td>
<td class="num" data-sort="${d.maker ? d.certainty : -1}">${certainty}</td>
<td data-sort="${verdictRank(worst, verdict)}">${verdictCell}</td>
<td class="mono">${escapeHtml(policies)}</td>
</tr>`;
    })
    .join('\n');

  const siteOfDevice = new Map(set.devices.map((d) => [d.id, siteOf(d)]));
  const findingBlocks = set.findings
    .map((f, i) => renderFinding(f, `finding-${i + 1}`, siteOfDevice.get(f.device) ?? siteOf(f), names))
    .join('\n');

  const severityCounts = countBy(set.devices, (d) =>
    verdictOf(d, worstFinding((findingsByDevice.get(d.id) ?? []).map((x) => x.finding))),
  );

  const data = {
    title,
    generatedAt: opts.generatedAt ?? null,
    fingerprintsVersion: opts.fingerprintsVersion ?? null,
    devices: set.devices.length,
    findings: { total: set.findings.length, restricted, review },
    summary: s ?? null,
  };

  const th = (label: string, type: 'text' | 'number' = 'text') =>
    `<th scope="col"${type === 'number' ? ' data-type="number"' : ''}><button type="button">${label}</button></th>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="camsweep${s ? ` ${escapeHtml(s.version)}` : ''}">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<dl class="meta">
${meta.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('\n')}
</dl>
</header>
<main>
<section id="summary">
<h2>Summary</h2>
<div class="cards">
<div class="card">Devices<b id="count-devices">${set.devices.length}</b></div>
<div class="card">Findings<b id="count-findings">${set.findings.length}</b></div>
<div class="card">Restricted<b id="count-restricted">${restricted}</b></div>
<div class="card">Review<b id="count-review">${review}</b></div>
<div class="card">Devices flagged<b id="count-flagged">${flaggedDevices}</b></div>
<div class="card">Unidentified<b id="count-unidentified">${severityCounts.get('unidentified') ?? 0}</b></div>
</div>
<h3>By policy</h3>
<table id="policy-summary">
<thead><tr><th scope="col">Policy</th><th scope="col">Restricted</th><th scope="col">Review</th><th scope="col">Devices</th></tr></thead>
<tbody>
${policyRows || '<tr><td colspan="4" class="muted">No policy recorded.</td></tr>'}
</tbody>
</table>
<h3>By site</h3>
<table id="site-summary">
<thead><tr><th scope="col">Site</th><th scope="col">Devices</th><th scope="col">Restricted</th><th scope="col">Review</th></tr></thead>
<tbody>
${siteRows}
</tbody>
</table>
</section>
<div class="controls" id="controls" hidden>
<label>Filter <input type="search" id="filter-text" placeholder="address, maker, model, evidence…" autocomplete="off"></label>
<label>Verdict <select id="filter-severity">
<option value="">all</option>
<option value="restricted">restricted</option>
<option value="review">review</option>
<option value="none">none</option>
<option value="unidentified">unidentified</option>
</select></label>
<span class="muted">Showing <span id="shown-devices">${set.devices.length}</span> of ${set.devices.length} devices and <span id="shown-findings">${set.findings.length}</span> of ${set.findings.length} findings</span>
</div>
<section id="devices">
<h2>Devices (${set.devices.length})</h2>
<table id="device-table">
<thead><tr>${th('Address')}${th('Site')}${th('Maker')}${th('Model')}${th('Firmware')}${th('Type')}${th('MAC')}${th('Certainty', 'number')}${th('Verdict', 'number')}${th('Policies')}</tr></thead>
<tbody>
${deviceRows}
</tbody>
</table>
${set.devices.length === 0 ? '<p class="muted">No device found.</p>' : ''}
</section>
<section id="findings">
<h2>Findings (${set.findings.length})</h2>
${findingBlocks || '<p class="muted">No device matched the policy.</p>'}
</section>
</main>
<footer class="muted"><p>Device-supplied strings are shown as sent, escaped. This report is technical evidence, not legal advice.</p></footer>
<script type="application/json" id="camsweep-data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
