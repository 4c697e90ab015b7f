import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CamsweepError } from '../core/errors.ts';

export interface LabCert {
  key: string;
  cert: string;
}

const cache = new Map<string, LabCert>();

/**
 * "CN=x,O=y" → "/O=y/CN=x" for openssl -subj; commas inside values are escaped with \. The
 * persona writes the subject as RFC 2253 prints it (most specific RDN first, as recog's examples and
 * camsweep's tls.subject do), while -subj lists RDNs in certificate order (most general first), so
 * the parts are reversed: a real device's subject then reads back exactly as it was published.
 */
function toOpensslSubject(dn: string): string {
  const parts = dn.split(/(?<!\\),/).map((p) => p.trim().replaceAll('/', '\\/'));
  return `/${parts.reverse().join('/')}`;
}

/**
 * A self-signed certificate with a persona's real default subject, made with the openssl CLI
 * (Node has no certificate builder). Only the subject is real; keys and dates are lab-made.
 */
export function labCertificate(subject = 'CN=camsweep-lab'): LabCert {
  const hit = cache.get(subject);
  if (hit) return hit;
  const dir = mkdtempSync(join(tmpdir(), 'camsweep-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '3650',
        '-subj',
        toOpensslSubject(subject),
      ],
      { stdio: 'ignore' },
    );
    const pair = {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
    cache.set(subject, pair);
    return pair;
  } catch (err) {
    throw new CamsweepError(
      'LAB',
      `cannot make a lab TLS certificate with openssl: ${String(err).split('\n')[0]}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
