import { AttributeIds, type ClientSession } from 'node-opcua';
import { errorText } from '../../../core/errors.ts';
import type { Reading } from '../../../core/telemetry.ts';
import { badReading } from '../../readings.ts';
import { chunks, type Item } from './items.ts';
import { decodeValue } from './values.ts';

/**
 * One polling cycle: every item read, at most `perRead` nodes per Read (the server's
 * MaxNodesPerRead). A Read the server refuses yields bad readings with the reason for its nodes.
 */
export async function readAll(
  session: ClientSession,
  items: Item[],
  perRead: number,
  now: () => number,
): Promise<{ readings: Reading[]; calls: number; error?: string }> {
  const readings: Reading[] = [];
  let calls = 0;
  let error: string | undefined;
  for (const chunk of chunks(items, perRead)) {
    try {
      const values = await session.read(
        chunk.map((i) => ({ nodeId: i.nodeId, attributeId: AttributeIds.Value })),
      );
      calls++;
      chunk.forEach((item, k) => {
        const dv = values[k];
        if (!dv) return;
        const reading = decodeValue(item, dv, now());
        readings.push(item.stale ? item.stale.check(reading) : reading);
      });
    } catch (err) {
      error = errorText(err);
      const ts = new Date(now()).toISOString();
      for (const item of chunk)
        readings.push(badReading(item.device, { point: item.point.id, unit: item.point.unit }, ts, error));
    }
  }
  return { readings, calls, ...(error === undefined ? {} : { error }) };
}

/** Runs `cycle` now and then `every` ms after each cycle ends, until stopped; a restart runs it at once. */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly cycle: () => Promise<void>,
    private readonly every: number,
  ) {}

  start(): void {
    this.running = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), 0);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    if (!this.running) return;
    await this.cycle().catch(() => undefined); // a cycle reports its own errors as bad readings
    if (this.running) this.timer = setTimeout(() => void this.run(), this.every);
  }
}
