import type { Exchange } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { redactExchange } from '../../core/redact.ts';
import { JsonlWriter } from '../../report/jsonl.ts';
import type { EventWriter } from './event-writer.ts';

/** --record: every exchange, secrets redacted, and the observations of each live host, as JSONL. */
export class RecordWriter implements EventWriter {
  private readonly jsonl: JsonlWriter;

  constructor(path: string) {
    this.jsonl = new JsonlWriter(path);
  }

  exchange(ex: Exchange): void {
    this.jsonl.write(redactExchange(ex));
  }

  observation(o: Observation): void {
    this.jsonl.write(o);
  }

  close(): void {
    this.jsonl.close();
  }
}
