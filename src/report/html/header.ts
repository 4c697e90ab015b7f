import type { SummaryEvent } from '../events.ts';
import type { HtmlOptions, ReportContext } from './context.ts';
import { escapeHtml } from './escape.ts';

/** The header's definition list: when, what ran, against which scope and policies. Values are HTML. */
export function renderMeta(ctx: ReportContext, opts: HtmlOptions): string {
  const s = ctx.set.summary;
  const meta: [string, string][] = [];
  if (opts.generatedAt) meta.push(['Generated', escapeHtml(opts.generatedAt)]);
  if (s) meta.push(...sweepRows(s));
  const fp: string[] = [];
  if (opts.fingerprintsVersion) fp.push(`library ${escapeHtml(opts.fingerprintsVersion)}`);
  if (s) fp.push(`${escapeHtml(s.fingerprints)} fingerprints`);
  if (fp.length) meta.push(['Fingerprints', fp.join(', ')]);
  if (s?.command) meta.push(['Command', `<code id="command">${escapeHtml(s.command)}</code>`]);
  if (s) meta.push(['Scope', scopeValue(s)]);
  meta.push([
    'Policies',
    ctx.policyIds.length ? escapeHtml(ctx.policyIds.join(', ')) : '<span class="muted">none recorded</span>',
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
  return meta.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('\n');
}

function sweepRows(s: SummaryEvent): [string, string][] {
  return [
    ['Sweep', `${escapeHtml(s.startedAt)} – ${escapeHtml(s.finishedAt)}`],
    [
      'Status',
      s.complete
        ? 'complete'
        : `<span class="sev sev-review">interrupted (${escapeHtml(s.interruptedBy ?? 'stopped')})</span>`,
    ],
    ['camsweep', `<span id="camsweep-version">${escapeHtml(s.version)}</span>`],
  ];
}

function scopeValue(s: SummaryEvent): string {
  const a = s.addresses;
  const outOfScope = s.outOfScope ? `, ${escapeHtml(s.outOfScope)} out of scope` : '';
  return `<span class="mono" id="scope">${escapeHtml(s.targets.join(' '))}</span> <span class="muted">(${escapeHtml(a.done)} of ${escapeHtml(a.total)} addresses swept, ${escapeHtml(a.live)} live, ${escapeHtml(a.untested)} untested${outOfScope})</span>`;
}
