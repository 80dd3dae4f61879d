import type { Clock } from '../../../core/clock.ts';
import type { Reading } from '../../../core/telemetry.ts';
import type { Item } from './items.ts';

/**
 * In subscription mode an unchanged value sends nothing, so silence is checked on a timer: an
 * item whose value has not changed for its device's stale_after is published once as uncertain,
 * until it changes again. Checks every quarter of the shortest stale_after (at least 1 s).
 * Returns the function that stops the checks.
 */
export function watchStale(options: {
  items: Item[];
  /** The connection's devices: the shortest stale_after sets the check period. */
  devices: { stale_after?: number | undefined }[];
  clock: Clock;
  emit: (r: Reading[]) => void;
}): () => void {
  const watched = options.items.filter((i) => i.stale);
  const staleAfter = Math.min(...options.devices.map((d) => d.stale_after ?? Number.POSITIVE_INFINITY));
  if (!Number.isFinite(staleAfter) || watched.length === 0) return () => {};
  const everyMs = Math.max(1000, staleAfter / 4);
  /** Per item, the `since` of the rest it was flagged for: a new rest (the value moved) is flagged again. */
  const flagged = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const check = () => {
    if (stopped) return;
    const now = options.clock.now();
    const out: Reading[] = [];
    for (const item of watched) {
      const key = `${item.device}/${item.point.id}`;
      const hit = item.stale?.staleAt(now).find((s) => s.key === key);
      if (!hit || flagged.get(key) === hit.since) continue;
      flagged.set(key, hit.since);
      out.push({
        device: item.device,
        point: item.point.id,
        value: hit.value,
        ...(item.point.unit === undefined ? {} : { unit: item.point.unit }),
        ts: new Date(now).toISOString(),
        quality: 'uncertain',
        reason: `stale: unchanged since ${new Date(hit.since).toISOString()}`,
      });
    }
    if (out.length > 0) options.emit(out);
    timer = setTimeout(check, everyMs);
  };
  timer = setTimeout(check, everyMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
