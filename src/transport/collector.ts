import type { StopWhen } from './stop-when.ts';

/**
 * Accumulates the bytes of one read into one growing buffer, never more than the stop rule's cap
 * (so memory stays bounded for a 10 MB or endless answer), and asks the rule after each chunk
 * whether the answer is complete. ReadSession owns one per read.
 */
export class Collector {
  private buf = Buffer.alloc(0);
  length = 0;

  constructor(private readonly rule: StopWhen) {}

  bytes(): Buffer {
    return Buffer.from(this.view());
  }

  push(chunk: Buffer): 'more' | 'complete' | 'limit' {
    this.append(chunk);
    const verdict = this.rule.check(this.view());
    // The cap may have shrunk (e.g. once a head's length is known); drop what lies beyond it.
    this.length = Math.min(this.length, this.rule.cap());
    if (verdict === 'complete') return 'complete';
    if (this.length >= this.rule.cap()) return 'limit';
    return 'more';
  }

  /** The peer closed (or reset) after some bytes: did that end the answer properly? */
  endedOnClose(): 'complete' | 'peer-closed' {
    return this.rule.onClose();
  }

  /** The filled part only: searches must not run into the unused tail of the buffer. */
  private view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  private append(chunk: Buffer): void {
    const cap = this.rule.cap();
    const take = Math.min(cap - this.length, chunk.length);
    if (take <= 0) return;
    if (this.length + take > this.buf.length) {
      // Grow by doubling, but never past the cap.
      const size = Math.min(cap, Math.max(this.length + take, this.buf.length * 2, 4096));
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    chunk.copy(this.buf, this.length, 0, take);
    this.length += take;
  }
}
