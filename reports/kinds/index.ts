import { intensityKind } from './intensity.ts';

/** Every report kind the service offers, by id: one module per kind (see kind.ts). */
export const reportKinds = {
  intensity: intensityKind,
} as const;
