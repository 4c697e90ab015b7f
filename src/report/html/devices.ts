import type { Device } from '../../core/device.ts';
import { makerLabel } from '../device-labels.ts';
import { findingsOf, type ReportContext } from './context.ts';
import { escapeHtml } from './escape.ts';
import { assess, sev, verdictRank } from './verdict.ts';

/** The filter bar: hidden until the page script runs, so a script-less or printed page shows everything. */
export function renderControls(ctx: ReportContext): string {
  const devices = ctx.set.devices.length;
  const findings = ctx.set.findings.length;
  return `<div class="controls" id="controls" hidden>
<label>Filter <input type="search" id="filter-text" placeholder="address, maker, model, evidence…" autocomplete="off"></label>
<label>Verdict <select id="filter-severity">
<option value="">all</option>
<option value="restricted">restricted</option>
<option value="review">review</option>
<option value="none">none</option>
<option value="unidentified">unidentified</option>
</select></label>
<span class="muted">Showing <span id="shown-devices">${devices}</span> of ${devices} devices and <span id="shown-findings">${findings}</span> of ${findings} findings</span>
</div>`;
}

/** A sortable column head; `number` columns sort by their cells' data-sort values. */
function th(label: string, type: 'text' | 'number' = 'text'): string {
  return `<th scope="col"${type === 'number' ? ' data-type="number"' : ''}><button type="button">${label}</button></th>`;
}

/** The Devices section: one row per device, its verdict linking to the finding that decided it. */
export function renderDevices(ctx: ReportContext): string {
  const { devices } = ctx.set;
  return `<section id="devices">
<h2>Devices (${devices.length})</h2>
<table id="device-table">
<thead><tr>${th('Address')}${th('Site')}${th('Maker')}${th('Model')}${th('Firmware')}${th('Type')}${th('MAC')}${th('Certainty', 'number')}${th('Verdict', 'number')}${th('Policies')}</tr></thead>
<tbody>
${devices.map((d) => deviceRow(ctx, d)).join('\n')}
</tbody>
</table>
${devices.length === 0 ? '<p class="muted">No device found.</p>' : ''}
</section>`;
}

function deviceRow(ctx: ReportContext, d: Device): string {
  const fs = findingsOf(ctx, d);
  const { worst, verdict } = assess(d, fs);
  const anchor = fs.find((x) => x.finding === worst)?.anchor;
  const label = worst ? `${worst.severity} (${worst.confidence})` : verdict;
  const verdictCell = anchor
    ? `<a href="#${anchor}">${sev(verdict, label)}</a>${fs.length > 1 ? ` <span class="muted">+${fs.length - 1}</span>` : ''}`
    : `${sev(verdict, label)}${verdict === 'unidentified' && d.notes[0] ? ` <span class="muted">${escapeHtml(d.notes[0])}</span>` : ''}`;
  const policies = [...new Set(fs.map((x) => x.finding.policy))].join(', ');
  const certainty = d.maker ? d.certainty.toFixed(2) : '';
  return `<tr data-severity="${verdict}" data-device="${escapeHtml(d.id)}">
<td class="mono addr" data-sort="${escapeHtml(addressKey(d.addresses[0]))}">${d.addresses.map(escapeHtml).join('<br>')}</td>
<td>${escapeHtml(ctx.siteOf(d))}</td>
<td>${escapeHtml(makerLabel(d, ctx.names))}</td>
<td class="mono">${escapeHtml(d.model)}</td>
<td class="mono">${escapeHtml(d.firmware)}</td>
<td>${escapeHtml(d.deviceType)}</td>
<td class="mono">${escapeHtml(d.mac)}</td>
<td class="num" data-sort="${d.maker ? d.certainty : -1}">${certainty}</td>
<td data-sort="${verdictRank(worst, verdict)}">${verdictCell}</td>
<td class="mono">${escapeHtml(policies)}</td>
</tr>`;
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
