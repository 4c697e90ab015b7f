import { createHash } from 'node:crypto';

/**
 * The report's only style and script. Both are static text with no template values, so the page's
 * Content-Security-Policy can pin each one by hash and forbid everything else.
 */

export const CSS = `
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
export const SCRIPT = `
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
export const CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(CSS)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
