import type { MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { PointChange } from '../core/control/events.ts';
import type { Effective } from '../core/control/priority.ts';
import { errorText } from '../core/errors.ts';
import { localTimestamp } from '../core/localTime.ts';
import type { Logger } from '../core/log.ts';
import { topics } from '../core/topics.ts';

/** What this module reads of the engine: its points and each one's value in effect. */
interface EffectiveSource {
  readonly points: ReadonlyMap<string, { key: string; device: string; point: string }>;
  effective(key: string): Effective;
}

/**
 * Publishes a PointChange on `jn/v1/control/<site>/points` (QoS 1) whenever a point's value in
 * effect — value, level or source — differs from what was last seen. `check()` is called after
 * every audit line (each set, relinquish and expiry writes one) and compares every point: a
 * priority array change cannot slip past, and a site's few hundred points cost microseconds.
 * The values in effect when watching starts are the baseline, not news.
 */
export class PointChanges {
  private engine: EffectiveSource | undefined;
  private readonly last = new Map<string, Effective>();

  constructor(private readonly ctx: { client: MqttClient; site: LoadedSite; clock: Clock; log: Logger }) {}

  /** Starts comparing against the engine's present values in effect. */
  watch(engine: EffectiveSource): void {
    this.engine = engine;
    for (const key of engine.points.keys()) this.last.set(key, engine.effective(key));
  }

  /** Publishes every point whose value in effect changed since the last check. */
  check(): void {
    const engine = this.engine;
    if (!engine) return;
    const { site, clock, client, log } = this.ctx;
    for (const cp of engine.points.values()) {
      const now = engine.effective(cp.key);
      const before = this.last.get(cp.key);
      if (before && before.value === now.value && before.level === now.level && before.source === now.source)
        continue;
      this.last.set(cp.key, now);
      const change: PointChange = {
        site: site.config.site.id,
        device: cp.device,
        point: cp.point,
        value: now.value,
        level: now.level,
        source: now.source,
        at: localTimestamp(clock.now(), site.config.site.timezone),
      };
      client
        .publishAsync(topics.controlPoints(change.site), JSON.stringify(change), { qos: 1 })
        .catch((err: unknown) => log.warn('point change not published', { error: errorText(err) }));
    }
  }
}
