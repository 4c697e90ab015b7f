import { styleText } from 'node:util';
import Table from 'cli-table3';
import type { Device } from '../core/device.ts';
import type { Finding } from '../core/finding.ts';
import { isIdentified, makerLabel } from './device-labels.ts';
import type { EventSet } from './events.ts';

type Style = Parameters<typeof styleText>[0];

export interface TableOptions {
  /** Colour only when the output is a terminal; styleText itself honours NO_COLOR/FORCE_COLOR. */
  colour: boolean;
  names?: (vendorId: string) => string;
}

/** Device strings are attacker-controlled: strip control characters so they cannot drive the terminal. */
export function clean(text: string | undefined, max = 60): string {
  if (!text) return '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const t = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, ' ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function paint(style: Style, text: string, on: boolean): string {
  return on ? styleText(style, text) : text;
}

function plainTable(head: string[]): Table.Table {
  // No styles: cli-table3's defaults write ANSI codes even into pipes (DEPENDENCIES.md).
  return new Table({ head, style: { head: [], border: [] }, wordWrap: true });
}

export function renderTable(set: EventSet, opts: TableOptions): string {
  const names = opts.names ?? ((id: string) => id);
  const restricted = new Map<string, Finding>();
  for (const f of set.findings) if (!restricted.has(f.device)) restricted.set(f.device, f);
  const out: string[] = [];
  const devices = plainTable(['Address', 'Maker', 'Model', 'Firmware', 'Type', 'Certainty', 'Verdict']);
  for (const d of set.devices) {
    const f = restricted.get(d.id);
    const verdict = f
      ? paint(
          f.severity === 'restricted' ? ['bold', 'red'] : 'yellow',
          `${f.severity} (${f.confidence})`,
          opts.colour,
        )
      : isIdentified(d)
        ? 'none'
        : paint('dim', d.notes[0] ? clean(d.notes[0], 60) : 'unidentified', opts.colour);
    devices.push([
      clean(d.addresses.join('\n'), 200),
      makerLabel(d, names),
      clean(d.model, 30),
      clean(d.firmware, 24),
      d.deviceType ?? '',
      d.maker ? d.certainty.toFixed(2) : '',
      verdict,
    ]);
  }
  out.push(paint('bold', `Devices (${set.devices.length})`, opts.colour), devices.toString());
  out.push('', paint('bold', `Findings (${set.findings.length})`, opts.colour));
  if (set.findings.length === 0) out.push('No device matched the policy.');
  for (const f of set.findings) out.push(renderFinding(f, set.devices, opts.colour, names));
  if (set.summary) {
    const s = set.summary;
    out.push(
      '',
      `${s.complete ? 'Sweep complete' : `Sweep interrupted (${s.interruptedBy ?? 'stopped'})`}: ` +
        `${s.addresses.done} of ${s.addresses.total} addresses, ${s.addresses.live} live, ` +
        `${s.addresses.untested} untested, ${s.devices} devices, ` +
        `${Object.values(s.findings).reduce((a, b) => a + b, 0)} findings.`,
    );
  }
  return `${out.join('\n')}\n`;
}

function renderFinding(
  f: Finding,
  devices: readonly Device[],
  colour: boolean,
  names: (id: string) => string,
): string {
  const d = devices.find((x) => x.id === f.device);
  const head = paint(
    f.severity === 'restricted' ? ['bold', 'red'] : ['bold', 'yellow'],
    `${f.severity.toUpperCase()} ${clean(f.addresses.join(', '), 120)}`,
    colour,
  );
  const lines = [
    '',
    `${head}  ${clean(f.lineage, 80)}${f.model ? `  ${clean(f.model, 30)}` : ''}  [${f.confidence}]`,
    `  policy ${f.policy} / ${f.rule}: ${clean(f.basis, 200)}`,
    `  action: ${clean(f.action, 200)}`,
    '  evidence:',
  ];
  for (const e of f.evidence.slice(0, 12)) {
    lines.push(
      `    - ${e.field} = "${clean(e.value, 70)}"${e.port ? ` (port ${e.port})` : ''} → ${clean(e.says, 160)}`,
    );
  }
  if (f.evidence.length > 12) lines.push(`    … ${f.evidence.length - 12} more in the JSONL output`);
  if (d?.mac) lines.push(`  mac: ${d.mac}`);
  void names;
  return lines.join('\n');
}
