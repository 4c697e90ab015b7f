import { type ExchangeProtocol, encodeResponse } from '../core/exchange.ts';
import type { ProbeContext } from './types.ts';

/**
 * Records one UDP reply as an exchange, unless an identical reply was already recorded (devices
 * answer each repeat of a probe): returns false for a repeat. `seen` is the probe run's own set.
 */
export function recordReplyOnce(
  ctx: ProbeContext,
  seen: Set<string>,
  exchange: { host: string; port: number; protocol: ExchangeProtocol; probe: string; request: string },
  bytes: Buffer,
): boolean {
  const key = bytes.toString('base64');
  if (seen.has(key)) return false;
  seen.add(key);
  ctx.record({
    type: 'exchange',
    transport: 'udp',
    ...exchange,
    ...encodeResponse(bytes),
    at: new Date().toISOString(),
  });
  return true;
}
