import type { Clock } from '../../core/clock.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../../core/store/store.ts';
import type { Report } from '../detector.ts';

/**
 * The rules judged on stored data: 总分表平衡, after-hours use against the learned hour-of-week
 * baseline, water night flow, year-to-date intensity trending past target. STUB: issue 17 fills it.
 */
export class DataRules {
  constructor(readonly ctx: { site: LoadedSite; store: Store; clock: Clock; log: Logger; report: Report }) {}

  /** Judges every data rule on what is stored up to `now`; called at the start and then every few minutes. */
  async tick(_now: number): Promise<void> {}
}
