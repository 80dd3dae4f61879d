/**
 * The pending-alarm count the layout shows on every screen (the bell in the header and the menu
 * item 报警): GET /api/v1/alarms/counts when the layout mounts and again after each `alarm` event of
 * the live stream (an event says what changed, not the counts: the API counts). Events come in
 * bursts (a gateway offline raises one and counts many), so one fetch follows a burst. The 报警
 * screen calls `refreshAlarmCounts` after its own actions, so the badge follows at once.
 */
import { ref } from 'vue';
import { api, ok } from '../api/client';
import { onLive } from '../live';

export interface AlarmCounts {
  pending: number;
  in_progress: number;
  shelved: number;
  done: number;
  by_severity: Record<string, number>;
}

export const alarmCounts = ref<AlarmCounts>();
/** Why the counts could not be read (the badge shows `!` then, never a stale 0 as if all were well). */
export const alarmCountsError = ref<string>();

let inFlight: Promise<void> | undefined;
let again = false;

export async function refreshAlarmCounts(): Promise<void> {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  inFlight = (async () => {
    try {
      do {
        again = false;
        try {
          alarmCounts.value = await ok(api.GET('/api/v1/alarms/counts'));
          alarmCountsError.value = undefined;
        } catch (err) {
          alarmCountsError.value = err instanceof Error ? err.message : String(err);
        }
      } while (again);
    } finally {
      inFlight = undefined;
    }
  })();
  return inFlight;
}

let timer: ReturnType<typeof setTimeout> | undefined;
/** Counts again shortly after the last of a burst of events (at most one fetch per 250 ms). */
function soon(): void {
  if (timer) return;
  timer = setTimeout(() => {
    timer = undefined;
    void refreshAlarmCounts();
  }, 250);
}

/** Keeps `alarmCounts` current while the layout is mounted; returns the stop. */
export function followAlarmCounts(): () => void {
  void refreshAlarmCounts();
  return onLive('alarm', soon);
}
