/**
 * A conservative check for patterns that can backtrack catastrophically: an unbounded
 * quantifier applied to a group that itself contains an unbounded quantifier ((a+)+, (\w*x)*),
 * or to an alternation whose branches can match the same text ((a|a)*). Inputs are also capped
 * at MAX_MATCH_INPUT, so polynomial cases stay cheap; this rejects the exponential ones.
 */
export function catastrophicBacktracking(pattern: string): string | undefined {
  interface Frame {
    hasUnbounded: boolean;
    hasAlternation: boolean;
  }
  const stack: Frame[] = [{ hasUnbounded: false, hasAlternation: false }];
  let i = 0;
  let inClass = false;
  let lastGroup: Frame | undefined;
  const isUnboundedAt = (pos: number): boolean => {
    const c = pattern[pos];
    if (c === '*' || c === '+') return true;
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(pos));
      return m !== null && m[2] !== undefined && (m[3] === undefined || m[3] === '' || Number(m[3]) > 16);
    }
    return false;
  };
  while (i < pattern.length) {
    const c = pattern[i];
    const top = stack[stack.length - 1];
    if (!top) return 'unbalanced parentheses';
    if (c === '\\') {
      i += 2;
      lastGroup = undefined;
      if (isUnboundedAt(i)) top.hasUnbounded = true;
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        if (isUnboundedAt(i + 1)) top.hasUnbounded = true;
      }
      i += 1;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastGroup = undefined;
      i += 1;
      continue;
    }
    if (c === '(') {
      stack.push({ hasUnbounded: false, hasAlternation: false });
      i += 1;
      continue;
    }
    if (c === ')') {
      const closed = stack.pop();
      const parent = stack[stack.length - 1];
      if (!closed || !parent) return 'unbalanced parentheses';
      if (isUnboundedAt(i + 1)) {
        if (closed.hasUnbounded) return `nested unbounded quantifier near position ${i}`;
        if (closed.hasAlternation) return `quantified alternation near position ${i}`;
        parent.hasUnbounded = true;
      }
      if (closed.hasUnbounded) parent.hasUnbounded = true;
      lastGroup = closed;
      i += 1;
      continue;
    }
    if (c === '|') top.hasAlternation = true;
    if (isUnboundedAt(i)) top.hasUnbounded = true;
    void lastGroup;
    i += 1;
  }
  if (stack.length !== 1) return 'unbalanced parentheses';
  return undefined;
}
