import type { Identification, IdentityClaims } from '../core/identification.ts';
import type { Observation } from '../core/observation.ts';
import type { FingerprintLibrary } from './load.ts';
import { type ClaimTemplate, type Fingerprint, MAX_MATCH_INPUT } from './schema.ts';

export interface MatchResult {
  fingerprint: Fingerprint;
  claims: IdentityClaims;
}

/** Fills {group} placeholders; a claim whose group did not match is dropped, never left as "{x}". */
export function fillClaims(set: ClaimTemplate, groups: Record<string, string | undefined>): IdentityClaims {
  const out: Record<string, string> = {};
  for (const [key, template] of Object.entries(set)) {
    if (typeof template !== 'string') continue;
    let missing = false;
    const value = template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const g = groups[name];
      if (g === undefined || g === '') missing = true;
      return g ?? '';
    });
    if (!missing && value.trim() !== '') out[key] = value.trim();
  }
  return out as IdentityClaims;
}

/** First fingerprint of the list that matches wins (recog's rule), so order in a file matters. */
export function matchValue(fingerprints: readonly Fingerprint[], value: string): MatchResult | undefined {
  const input = value.length > MAX_MATCH_INPUT ? value.slice(0, MAX_MATCH_INPUT) : value;
  for (const fp of fingerprints) {
    const m = fp.regex.exec(input);
    if (m) return { fingerprint: fp, claims: fillClaims(fp.set, m.groups ?? {}) };
  }
  return undefined;
}

/** The identification one observation gives: what it claims, by which rule, with the observation as evidence. */
export function identificationOf(
  obs: Observation,
  claims: IdentityClaims,
  fingerprint: string,
  certainty: number,
): Identification {
  return {
    ...claims,
    fingerprint,
    field: obs.field,
    value: obs.value,
    host: obs.host,
    ...(obs.port !== undefined ? { port: obs.port } : {}),
    ...(obs.probe !== undefined ? { probe: obs.probe } : {}),
    certainty,
  };
}

/** Pure: observations in, identifications out. */
export function identify(observations: readonly Observation[], lib: FingerprintLibrary): Identification[] {
  const out: Identification[] = [];
  for (const obs of observations) {
    const list = lib.byField.get(obs.field);
    if (!list) continue;
    const match = matchValue(list, obs.value);
    if (!match) continue;
    out.push(identificationOf(obs, match.claims, match.fingerprint.id, match.fingerprint.certainty));
  }
  return out;
}
