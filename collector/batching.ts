import type { StoredReading } from '../core/store/store.ts';

interface Pending {
  rows: readonly StoredReading[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit in front of the store: writes that arrive while `concurrency` writes are in flight
 * are merged into the next one (up to `maxRows`), so concurrent telemetry batches — one per MQTT connection in the
 * shared group — cost one store request instead of several. Each caller's promise settles with
 * the write that carried its rows, so a message is still acknowledged only once its own readings
 * are stored; if a merged write fails, every batch in it fails and is retried by its caller.
 */
export class BatchingWriter {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly write: (rows: readonly StoredReading[]) => Promise<void>,
    private readonly options: { maxRows?: number; concurrency?: number } = {},
  ) {}

  submit(rows: readonly StoredReading[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (this.inFlight < (this.options.concurrency ?? 2)) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight++;
    // Let the batches that arrive in the same turn of the event loop join this write.
    await new Promise((r) => setImmediate(r));
    const maxRows = this.options.maxRows ?? 5000;
    while (this.queue.length > 0) {
      const taken: Pending[] = [];
      let count = 0;
      while (
        this.queue.length > 0 &&
        (taken.length === 0 || count + (this.queue[0]?.rows.length ?? 0) <= maxRows)
      ) {
        const next = this.queue.shift() as Pending;
        taken.push(next);
        count += next.rows.length;
      }
      const rows = taken.length === 1 ? (taken[0]?.rows ?? []) : taken.flatMap((p) => p.rows);
      try {
        await this.write(rows);
        for (const p of taken) p.resolve();
      } catch (err) {
        for (const p of taken) p.reject(err);
      }
    }
    this.inFlight--;
  }
}
