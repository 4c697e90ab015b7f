import type { Exchange } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import type { SummaryEvent, SweepEvent } from '../../report/events.ts';

/**
 * One destination of a scan's output (stdout, --out, --record, the progress line). runScan calls
 * every writer at each step; a writer implements only the steps it has something to write for.
 */
export interface EventWriter {
  /** A device, finding, probe status or the closing summary, as the sweep finds it. */
  event?(e: SweepEvent): void;
  /** Every exchange, as it happens. */
  exchange?(ex: Exchange): void;
  /** A fact about a live host that no exchange carries (e.g. its MAC). */
  observation?(o: Observation): void;
  /** How many addresses are done. */
  progress?(done: number): void;
  /** The sweep is over, finished or not; runs even when it failed. */
  sweepEnded?(): void;
  /** Everything is written, the summary last. */
  close?(summary: SummaryEvent): void;
}
