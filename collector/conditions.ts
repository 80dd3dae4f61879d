import type { ConditionSnapshot } from '../core/alarms/model.ts';
import { errorText } from '../core/errors.ts';
import { localClock } from '../core/localTime.ts';
import type { Logger } from '../core/log.ts';
import { topics } from '../core/topics.ts';
import type { SilentGateway } from './silence.ts';

type SnapshotCondition = ConditionSnapshot['conditions'][number];

/**
 * What this collector knows is wrong, for the alarm service (issue 17): a retained
 * ConditionSnapshot on `jn/v1/conditions/collector/<instance>`, published whenever it changes —
 * collector_silence (an online gateway whose batches this collector does not store; key the
 * gateway) and store_write_failed (the store refusing writes; key `store`). The alarm service
 * applies the rules' delays; a condition gone from the snapshot is cleared there.
 */
export class CollectorConditions {
  /** Since when (ms) each gateway has been silent, and the store down. */
  private readonly silentSince = new Map<string, number>();
  private storeDownSince: number | undefined;
  private published: string | undefined;
  private publishing = false;

  constructor(
    private readonly ctx: {
      /** The collector's instance: its client id. */
      instance: string;
      /** The site id, said in the snapshot: the alarm service matches it exactly (its client id may not tell). */
      site?: string;
      timeZone: string;
      log: Logger;
      publish: (topic: string, payload: string) => Promise<void>;
      now?: () => number;
    },
  ) {}

  get topic(): string {
    return topics.conditions('collector', this.ctx.instance);
  }

  /** Once a second: the gateways silent now and the store's state; publishes when that changed. */
  update(silent: readonly SilentGateway[], store: { down: boolean; error?: string | undefined }): void {
    const now = (this.ctx.now ?? Date.now)();
    const current = new Set(silent.map((s) => s.gateway));
    for (const g of this.silentSince.keys()) if (!current.has(g)) this.silentSince.delete(g);
    for (const s of silent)
      if (!this.silentSince.has(s.gateway)) this.silentSince.set(s.gateway, now - s.silent_s * 1000);
    if (!store.down) this.storeDownSince = undefined;
    else this.storeDownSince ??= now;
    const conditions: SnapshotCondition[] = [];
    const local = (ms: number) => {
      const l = localClock(ms, this.ctx.timeZone);
      return `${l.date} ${l.time}`;
    };
    for (const [gateway, since] of this.silentSince)
      conditions.push({
        rule: 'collector_silence',
        key: gateway,
        gateway,
        at: new Date(since).toISOString(),
        message: `Collector ${this.ctx.instance} stores nothing of gateway ${gateway} since ${local(since)} while the gateway publishes`,
        message_zh: `采集服务 ${this.ctx.instance} 自 ${local(since)} 起未存入网关 ${gateway} 的数据（网关仍在发送）`,
      });
    if (this.storeDownSince !== undefined) {
      const error = store.error ? `: ${store.error.slice(0, 300)}` : '';
      conditions.push({
        rule: 'store_write_failed',
        key: 'store',
        at: new Date(this.storeDownSince).toISOString(),
        message: `The store refuses the writes of collector ${this.ctx.instance} since ${local(this.storeDownSince)}${error}; telemetry waits at the broker and in the gateways' spools`,
        message_zh: `自 ${local(this.storeDownSince)} 起数据存储拒绝采集服务 ${this.ctx.instance} 的写入${error}；遥测暂存于消息服务器和网关缓存`,
      });
    }
    const body = JSON.stringify(conditions);
    if (body === this.published) return;
    const snapshot: ConditionSnapshot = {
      source: `collector/${this.ctx.instance}`,
      ...(this.ctx.site ? { site: this.ctx.site } : {}),
      at: new Date(now).toISOString(),
      conditions,
    };
    this.send(body, JSON.stringify(snapshot));
  }

  /** The broker may have lost the retained snapshot (a restart without persistence): sent again on the next update. */
  republish(): void {
    this.published = undefined;
  }

  private send(body: string, payload: string): void {
    if (this.publishing) return; // the next update sends what holds then
    this.publishing = true;
    this.ctx
      .publish(this.topic, payload)
      .then(() => {
        this.published = body;
      })
      .catch((err: unknown) =>
        this.ctx.log.warn('condition snapshot not published; sent again on the next change check', {
          topic: this.topic,
          error: errorText(err),
        }),
      )
      .finally(() => {
        this.publishing = false;
      });
  }
}
