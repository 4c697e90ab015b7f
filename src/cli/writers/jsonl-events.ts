import type { SweepEvent } from '../../report/events.ts';
import { JsonlWriter } from '../../report/jsonl.ts';
import type { EventWriter } from './event-writer.ts';

/** The JSONL event stream, one line per event as it is found (--out, or stdout in jsonl format). */
export class JsonlEventWriter implements EventWriter {
  private readonly jsonl: JsonlWriter;

  /** `-` is stdout. Opens the file at once, so a path that cannot be written fails before the sweep. */
  constructor(path: string) {
    this.jsonl = new JsonlWriter(path);
  }

  event(e: SweepEvent): void {
    this.jsonl.write(e);
  }

  close(): void {
    this.jsonl.close();
  }
}
