import type { Exchange } from './exchange.ts';

/**
 * Secrets never reach disk: HTTP Authorization headers, SOAP UsernameTokens and password fields
 * are replaced before an exchange is written.
 */
export function redact(text: string): string {
  return text
    .replace(/^((?:Proxy-)?Authorization:[ \t]*)(\S+)[^\r\n]*/gim, '$1$2 [redacted]')
    .replace(/(<(?:\w+:)?UsernameToken\b[^>]*>)[\s\S]*?(<\/(?:\w+:)?UsernameToken>)/g, '$1[redacted]$2')
    .replace(/(<(?:\w+:)?Password\b[^>]*>)[\s\S]*?(<\/(?:\w+:)?Password>)/g, '$1[redacted]$2')
    .replace(/("pass(?:word)?"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"[redacted]"');
}

export function redactExchange(ex: Exchange): Exchange {
  return ex.request === undefined ? ex : { ...ex, request: redact(ex.request) };
}
