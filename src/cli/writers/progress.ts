import type { EventSet } from '../../report/events.ts';
import type { EventWriter } from './event-writer.ts';

/** The progress line on a terminal's stderr: addresses done, devices and findings so far, and an ETA. */
export class ProgressWriter implements EventWriter {
  private readonly started = Date.now();
  private last = 0;

  constructor(
    private readonly total: bigint,
    private readonly found: EventSet,
  ) {}

  progress(done: number): void {
    const now = Date.now();
    // At most five redraws a second, but always the last one.
    if (now - this.last < 200 && BigInt(done) !== this.total) return;
    this.last = now;
    const rate = done / Math.max(0.001, (now - this.started) / 1000);
    const left = Number(this.total) - done;
    const eta = rate > 0 ? Math.round(left / rate) : 0;
    process.stderr.write(
      `\r${done}/${this.total} addresses · ${this.found.devices.length} devices · ${this.found.findings.length} findings · ETA ${eta}s   `,
    );
  }

  /** Ends the line, so whatever comes next on stderr starts on its own. */
  sweepEnded(): void {
    process.stderr.write('\n');
  }
}
