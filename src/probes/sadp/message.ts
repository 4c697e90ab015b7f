import { randomUUID } from 'node:crypto';

/** Hikvision SADP over UDP (PROTOCOLS.md §3.1). */
export const SADP_PORT = 37020;
export const SADP_GROUP = '239.255.255.250';

/**
 * The standard SADP inquiry, and nothing else: discovery services on these devices have crashed on
 * crafted packets, so the layout is fixed (upper-case UUID, Types "inquiry", one line).
 */
export function buildInquiry(uuid: string = randomUUID()): { uuid: string; xml: string } {
  const id = uuid.toUpperCase();
  return {
    uuid: id,
    xml: `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${id}</Uuid><Types>inquiry</Types></Probe>`,
  };
}

const INQUIRY_RE =
  /^<\?xml version="1\.0" encoding="utf-8"\?><Probe><Uuid>([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})<\/Uuid><Types>inquiry<\/Types><\/Probe>$/;

/** The Uuid of a standard inquiry, or undefined for anything else (the lab answers only this). */
export function inquiryUuid(text: string): string | undefined {
  return INQUIRY_RE.exec(text.trim())?.[1];
}
