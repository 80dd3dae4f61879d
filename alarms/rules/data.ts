import type { AlarmRule, Condition } from '../../core/alarms/model.ts';
import type { Clock } from '../../core/clock.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../../core/store/store.ts';
import type { Report } from '../detector.ts';
import { judgeAfterHours, judgedHour } from './afterHours.ts';
import { judgeBalance } from './balance.ts';
import { HOUR, type Judged, localDate, type RuleContext } from './common.ts';
import { judgeNightFlow } from './nightFlow.ts';
import { judgeQuotas } from './quota.ts';
import { judgeTargetTrend } from './targetTrend.ts';

type DataRule = Extract<AlarmRule, 'meter_balance' | 'after_hours' | 'night_flow' | 'target_trend' | 'quota'>;

const judges: Record<DataRule, (ctx: RuleContext, now: number) => Promise<Judged[]>> = {
  meter_balance: judgeBalance,
  after_hours: judgeAfterHours,
  night_flow: judgeNightFlow,
  target_trend: judgeTargetTrend,
  quota: judgeQuotas,
};

/**
 * How often each rule is judged again (a key per period; the same key skips the rule): the trend
 * of a year once a day, a day's balance and the nights hourly (a late rollup is seen within the
 * hour), after-hours use once per hour judged.
 */
const cadence: Record<DataRule, (now: number, tz: string) => string> = {
  meter_balance: (now) => String(Math.floor(now / HOUR)),
  after_hours: (now) => String(judgedHour(now)),
  night_flow: (now) => String(Math.floor(now / HOUR)),
  target_trend: (now, tz) => localDate(now, tz),
  quota: (now, tz) => localDate(now, tz),
};

/** What each data rule last did, for the service's health: when, how many subjects it judged and holds, and its notes. */
export interface DataRuleStatus {
  rule: DataRule;
  enabled: boolean;
  judged: number;
  active: number;
  /** Why something was not judged (learning the baseline, an incomplete day, no target), newest last. */
  notes: string[];
  error?: string;
}

/**
 * The rules judged on stored data: 总分表平衡, after-hours use against the learned hour-of-week
 * baseline, water night flow, year-to-date intensity trending past target. Each tick judges what
 * is stored up to `now` (the hourly and daily rollups the collector writes) and reports on change
 * only: a subject that turns active or clears, plus the first judgement of each subject in this
 * run, so an alarm left open by an earlier run is cleared once its subject is judged fine. A subject not
 * judged (a hole in the data) keeps its state: a hole is never an alarm, nor a clear.
 */
export class DataRules {
  private readonly held = new Map<string, boolean>();
  private readonly noted = new Set<string>();
  private readonly statuses = new Map<DataRule, DataRuleStatus>();
  private readonly lastJudged = new Map<DataRule, string>();

  constructor(readonly ctx: { site: LoadedSite; store: Store; clock: Clock; log: Logger; report: Report }) {}

  /** Judges every data rule on what is stored up to `now`; called at the start and then every few minutes. */
  async tick(now: number): Promise<void> {
    const rules = this.ctx.site.config.alarms.rules;
    for (const rule of Object.keys(judges) as DataRule[]) {
      const status: DataRuleStatus = this.statuses.get(rule) ?? {
        rule,
        enabled: rules[rule].enabled,
        judged: 0,
        active: 0,
        notes: [],
      };
      this.statuses.set(rule, status);
      if (!rules[rule].enabled) continue;
      const period = cadence[rule](now, this.ctx.site.config.site.timezone);
      if (this.lastJudged.get(rule) === period) continue;
      const context: RuleContext = {
        site: this.ctx.site,
        store: this.ctx.store,
        rules,
        timeZone: this.ctx.site.config.site.timezone,
        note: (key, text) => this.note(status, key, text),
      };
      try {
        const found = await judges[rule](context, now);
        this.lastJudged.set(rule, period);
        delete status.error;
        status.judged = found.length;
        for (const j of found) this.observe({ rule, ...j });
        status.active = [...this.held].filter(([k, v]) => v && k.startsWith(`${rule}:`)).length;
      } catch (err) {
        // One rule's failure (the store down) leaves the others judged and says so.
        status.error = err instanceof Error ? err.message : String(err);
        this.ctx.log.error(`data rule ${rule} failed: ${status.error}`, { rule });
      }
    }
  }

  /** Each data rule's state, for the alarm service's health. */
  status(): DataRuleStatus[] {
    return [...this.statuses.values()].map((s) => ({ ...s, notes: [...s.notes] }));
  }

  private observe(c: Condition): void {
    const id = `${c.rule}:${c.key}`;
    const was = this.held.get(id);
    this.held.set(id, c.active);
    if (was === c.active) return;
    if (c.active) this.ctx.log.info(`${c.rule} ${c.key}: ${c.message}`, { at: c.at });
    this.ctx.report(c);
  }

  private note(status: DataRuleStatus, key: string, text: string): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    if (this.noted.size > 10_000) this.noted.clear(); // bounded: a year of daily notes of a large site
    this.ctx.log.info(text, { rule: status.rule });
    status.notes.push(text);
    if (status.notes.length > 20) status.notes.shift();
  }
}
