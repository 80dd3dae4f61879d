import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../core/log.ts';
import type { SimulationSnapshot } from './physics/simulation.ts';

/** Longest outage the simulator replays on resume; beyond it the meters count on from the last saved state. */
export const MAX_CATCH_UP_MS = 31 * 86_400_000;

/**
 * The simulated meters keep counting across restarts, as real meters do: their registers are
 * saved to `file` (periodically and on stop) and a restart resumes from them, replaying the time
 * it was down. Without this a restart would show every counter jumping back — a fake reset.
 */
export function readSnapshot(
  file: string,
  scenarioName: string,
  log: Logger,
): SimulationSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // first start
  }
  try {
    const snap = JSON.parse(text) as SimulationSnapshot;
    if (
      snap.scenario !== scenarioName ||
      typeof snap.time !== 'number' ||
      typeof snap.counters !== 'object'
    ) {
      log.warn('ignoring saved simulator state of another scenario', {
        file,
        saved: snap.scenario,
        scenario: scenarioName,
      });
      return undefined;
    }
    return snap;
  } catch (err) {
    log.warn('ignoring unreadable simulator state', { file, error: (err as Error).message });
    return undefined;
  }
}

export function writeSnapshot(file: string, snapshot: SimulationSnapshot): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(snapshot));
  renameSync(tmp, file); // never leave a half-written state behind
}
