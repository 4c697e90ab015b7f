import type { Relation, VendorRegistry } from './vendors.ts';

/**
 * The vendor that stands behind a brand: the target of its strongest current relation
 * (subsidiaryOf before oemOf). Unverified relations are never followed: they must not raise a
 * verdict on their own (issue #4).
 */
export function parentOf(
  reg: VendorRegistry,
  id: string,
): { vendor: string; relation: Relation } | undefined {
  const v = reg.get(id);
  if (!v) return undefined;
  const usable = v.relations.filter((r) => r.confidence !== 'unverified' && r.type !== 'formerSubsidiaryOf');
  const rel = usable.find((r) => r.type === 'subsidiaryOf') ?? usable.find((r) => r.type === 'oemOf');
  return rel ? { vendor: rel.of, relation: rel } : undefined;
}

/** Two vendor ids belong together when one reaches the other through usable relations. */
export function related(reg: VendorRegistry, a: string, b: string): boolean {
  if (a === b) return true;
  const chain = (id: string): Set<string> => {
    const seen = new Set<string>([id]);
    let cur: string | undefined = id;
    for (let i = 0; i < 8 && cur; i++) {
      const p = parentOf(reg, cur);
      if (!p || seen.has(p.vendor)) break;
      seen.add(p.vendor);
      cur = p.vendor;
    }
    return seen;
  };
  const ca = chain(a);
  const cb = chain(b);
  for (const x of ca) if (cb.has(x)) return true;
  return false;
}
