import { intensityKind } from './intensity.ts';
import { statisticsKind } from './statistics.ts';

/** Every report kind the service offers, by id: one module per kind (see kind.ts). */
export const reportKinds = {
  intensity: intensityKind,
  statistics: statisticsKind,
} as const;
