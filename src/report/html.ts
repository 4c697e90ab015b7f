import type { EventSet } from './events.ts';
import { CSP, CSS, SCRIPT } from './html/assets.ts';
import { type HtmlOptions, reportContext } from './html/context.ts';
import { renderControls, renderDevices } from './html/devices.ts';
import { escapeHtml, jsonForScript } from './html/escape.ts';
import { renderFindings } from './html/findings.ts';
import { renderMeta } from './html/header.ts';
import { renderSummary } from './html/summary.ts';

/**
 * One self-contained HTML report (issue #5): inline CSS and script, no network fetches (a CSP meta
 * tag forbids them), readable and printable without JavaScript. Every device-supplied string is
 * escaped; nothing from the sweep is ever placed inside the executable script. The sections live
 * in ./html/; this file assembles the page.
 */

export type { HtmlOptions } from './html/context.ts';
export { escapeHtml, jsonForScript } from './html/escape.ts';
export { ALL_SITES, defaultSiteOf, type SiteOf } from './html/sites.ts';

/** Pure: an event set in, one self-contained HTML document out. */
export function renderHtml(set: EventSet, opts: HtmlOptions = {}): string {
  const ctx = reportContext(set, opts);
  const title = opts.title ?? 'camsweep report';
  const s = set.summary;
  // Machine-readable totals for tools that scrape the report; data only, never executed.
  const data = {
    title,
    generatedAt: opts.generatedAt ?? null,
    fingerprintsVersion: opts.fingerprintsVersion ?? null,
    devices: set.devices.length,
    findings: { total: set.findings.length, restricted: ctx.restricted, review: ctx.review },
    summary: s ?? null,
  };

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
${renderMeta(ctx, opts)}
</dl>
</header>
<main>
${renderSummary(ctx)}
${renderControls(ctx)}
${renderDevices(ctx)}
${renderFindings(ctx)}
</main>
<footer class="muted"><p>Device-supplied strings are shown as sent, escaped. This report is technical evidence, not legal advice.</p></footer>
<script type="application/json" id="camsweep-data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
