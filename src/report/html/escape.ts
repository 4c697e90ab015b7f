/**
 * Escaping for the HTML report. Every device-supplied string passes through here before it reaches
 * the page, because a camera's banner or model string is attacker-controlled.
 */

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
