/** The 报表 screen's state, shared by its parts: the report shown, and a counter the ledger bumps. */
import { reactive } from 'vue';
import type { IntensityReport } from './report';

export const reportState = reactive({
  report: undefined as IntensityReport | undefined,
  /** Bumped by every stored entry, fact or upload: the history reloads, the report says it is stale. */
  ledgerVersion: 0,
  /** The ledger version the shown report was built at. */
  builtAt: 0,
});

/** The buildings an entry may name (id and name), from the shown report. */
export function buildingsOf(report: IntensityReport | undefined): { id: string; name: string }[] {
  return (report?.buildings ?? []).map((b) => ({ id: b.id, name: b.name }));
}
