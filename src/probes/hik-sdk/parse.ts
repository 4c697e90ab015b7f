/**
 * Pure parser of what an SDK port volunteered: the first bytes as lower-case hex (binary
 * protocols have no text to show). Only exchanges where we sent nothing count as volunteered;
 * other probes that record 'sdk' exchanges (Dahua's realm request) have their own parser.
 */
import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationMaker } from '../../core/observation.ts';

/** Bytes shown in sdk.banner (hex, so twice as many characters). */
export const SDK_BANNER_BYTES = 64;

export function observeSdkBanner(ex: Exchange): Observation[] {
  if (ex.request !== undefined && ex.request.length > 0) return [];
  const bytes = responseBytes(ex);
  if (bytes.length === 0) return [];
  return observationMaker(ex)('sdk.banner', bytes.subarray(0, SDK_BANNER_BYTES).toString('hex'));
}
