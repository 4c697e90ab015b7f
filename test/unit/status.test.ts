import { describe, expect, it } from 'vitest';
import { CamsweepError } from '../../src/core/errors.ts';
import { classify, isResourceError, PROBE_STATUSES } from '../../src/core/status.ts';
import { DeadlineError } from '../../src/engine/deadline.ts';

function sysErr(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('classify: every network failure becomes one status from the closed set', () => {
  it.each([
    [sysErr('ECONNREFUSED'), 'connection-refused'],
    [sysErr('ECONNRESET'), 'connection-reset'],
    [sysErr('EPIPE'), 'connection-reset'],
    [sysErr('ETIMEDOUT'), 'connection-timeout'],
    [sysErr('EHOSTUNREACH'), 'connection-timeout'],
    [new DOMException('t', 'TimeoutError'), 'connection-timeout'],
    [new DeadlineError('late'), 'connection-timeout'],
    [sysErr('EPROTO'), 'protocol-mismatch'],
    [sysErr('EMFILE'), 'limit-exceeded'],
    [sysErr('ENOBUFS'), 'limit-exceeded'],
    [new CamsweepError('OUT_OF_SCOPE', 'no'), 'out-of-scope'],
    [new CamsweepError('PROTOCOL_ERROR', 'bad'), 'protocol-error'],
    [new Error('something odd'), 'unknown-error'],
    ['a string', 'unknown-error'],
    [undefined, 'unknown-error'],
  ])('%s → %s', (err, status) => {
    expect(classify(err)).toBe(status);
    expect(PROBE_STATUSES).toContain(classify(err));
  });

  it('knows which errors mean "the kernel could not try" rather than "nobody is there"', () => {
    for (const code of ['EMFILE', 'ENFILE', 'ENOBUFS', 'EADDRNOTAVAIL'])
      expect(isResourceError(sysErr(code))).toBe(true);
    for (const code of ['ECONNREFUSED', 'EHOSTUNREACH', 'ETIMEDOUT'])
      expect(isResourceError(sysErr(code))).toBe(false);
  });
});
