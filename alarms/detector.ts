import type { Condition } from '../core/alarms/model.ts';

/** Where a detector's conditions go (the alarm engine, alarms/engine.ts): call it on each change, not on every sample. */
export type Report = (c: Condition) => void;
