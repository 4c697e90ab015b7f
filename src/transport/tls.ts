/**
 * The TLS side of a TCP exchange: a lenient client socket (old cameras), the peer certificate as
 * evidence, and the errors a failed handshake becomes.
 */
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { CamsweepError } from '../core/errors.ts';
import type { TlsInfo } from '../core/exchange.ts';

export function openTlsSocket(address: string, port: number, servername: string | undefined): TLSSocket {
  const options: ConnectionOptions = {
    host: address,
    port,
    rejectUnauthorized: false,
    // Old cameras speak TLS 1.0 with weak ciphers. We only read a certificate and a banner and
    // send nothing secret, so we accept what the device offers rather than fail the handshake.
    minVersion: 'TLSv1',
    ciphers: 'DEFAULT:@SECLEVEL=0',
  };
  // Node rejects IP literals as SNI (RFC 6066), and a device reached by address gets no SNI.
  if (servername && isIP(servername) === 0) options.servername = servername;
  return tlsConnect(options);
}

export function peerTlsInfo(socket: TLSSocket): TlsInfo | undefined {
  try {
    const cert = socket.getPeerX509Certificate();
    return cert ? formatCertificate(cert) : undefined;
  } catch {
    // A certificate Node cannot represent is a data problem; the exchange still goes on.
    return undefined;
  }
}

/** The certificate captured before a post-handshake failure, if any. */
export function tlsInfoFromError(err: unknown): TlsInfo | undefined {
  if (err && typeof err === 'object' && 'tls' in err) {
    const info = err.tls;
    if (info && typeof info === 'object' && 'subject' in info) return info as TlsInfo;
  }
  return undefined;
}

/**
 * Subject/issuer as OpenSSL's `-nameopt RFC2253` prints them: most specific RDN first, values
 * escaped per RFC 2253. Node prints one RDN per line in certificate order (already escaped,
 * multi-valued RDNs joined by " + "), so we only reverse and re-join.
 */
export function formatCertificate(cert: X509Certificate): TlsInfo {
  const info: TlsInfo = { subject: rfc2253(cert.subject), issuer: rfc2253(cert.issuer) };
  if (cert.serialNumber) info.serial = cert.serialNumber.toLowerCase();
  info.sha256 = cert.fingerprint256.replaceAll(':', '').toLowerCase();
  info.validFrom = isoDate(cert.validFrom);
  info.validTo = isoDate(cert.validTo);
  return info;
}

/**
 * OpenSSL failures before the handshake completes. Bytes that are not TLS at all (plain HTTP on
 * a TLS port) are a protocol mismatch; a TLS alert means the device speaks TLS but refused us,
 * which is a protocol error. Socket-level errors (reset, refused) pass through unchanged.
 */
export function tlsHandshakeError(err: Error, host: string, port: number): unknown {
  const code = 'code' in err && typeof err.code === 'string' ? err.code : '';
  if (code !== 'EPROTO' && !code.startsWith('ERR_SSL_')) return err;
  const kind = code.includes('ALERT') ? 'PROTOCOL_ERROR' : 'PROTOCOL_MISMATCH';
  const wrapped = new CamsweepError(kind, `TLS handshake with ${host}:${port} failed: ${code}`, {
    host,
    port,
    code,
  });
  wrapped.cause = err;
  return wrapped;
}

function rfc2253(name: string): string {
  return name
    .split('\n')
    .filter((rdn) => rdn.length > 0)
    .reverse()
    .map((rdn) => rdn.split(' + ').reverse().join('+'))
    .join(',');
}

function isoDate(openssl: string): string {
  const date = new Date(openssl);
  return Number.isNaN(date.getTime()) ? openssl : date.toISOString();
}
