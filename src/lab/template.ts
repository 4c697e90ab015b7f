import { randomUUID } from 'node:crypto';

export interface TemplateVars {
  host: string;
  httpPort: number;
  mac?: string;
  relatesTo?: string;
  now?: Date;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Fills the placeholders of fixtures/README.md. Unknown placeholders are left as written. */
export function renderTemplate(text: string, v: TemplateVars): string {
  const now = v.now ?? new Date();
  const mac = v.mac ?? '00:00:00:00:00:00';
  const values: Record<string, string> = {
    host: v.host.includes(':') ? `[${v.host}]` : v.host,
    'port:http': String(v.httpPort),
    relatesTo: v.relatesTo ?? '',
    messageId: `uuid:${randomUUID()}`,
    mac,
    macDash: mac.replaceAll(':', '-'),
    macPlain: mac.replaceAll(':', ''),
    'utc.year': String(now.getUTCFullYear()),
    'utc.month': String(now.getUTCMonth() + 1),
    'utc.day': String(now.getUTCDate()),
    'utc.hour': String(now.getUTCHours()),
    'utc.minute': String(now.getUTCMinutes()),
    'utc.second': String(now.getUTCSeconds()),
    'utc.month2': two(now.getUTCMonth() + 1),
    'utc.day2': two(now.getUTCDate()),
  };
  return text.replace(/\{\{([a-zA-Z0-9.:]+)\}\}/g, (m, key: string) => values[key] ?? m);
}

/**
 * A raw HTTP response file → bytes on the wire: the head's line ends become CRLF, the body is
 * sent as written, and {{contentLength}} becomes the body's byte length.
 */
export function renderHttpResponse(text: string, v: TemplateVars): Buffer {
  const filled = renderTemplate(text, v);
  const m = /\r?\n\r?\n/.exec(filled);
  const headRaw = m ? filled.slice(0, m.index) : filled.replace(/\r?\n$/, '');
  const body = m ? filled.slice(m.index + m[0].length) : '';
  const bodyBytes = Buffer.from(body, 'utf8');
  const head = headRaw.split(/\r?\n/).join('\r\n').replaceAll('{{contentLength}}', String(bodyBytes.length));
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), bodyBytes]);
}
