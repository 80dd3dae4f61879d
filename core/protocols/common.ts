import { z } from 'zod';
import { durationSchema } from '../duration.ts';
import { slugSchema } from '../ids.ts';

// Pieces every protocol's config and profile formats share; each protocol's own schemas live in its folder.

/** What a profile point is, whatever the protocol: counters are cumulative and feed consumption rollups. */
export const pointRoleSchema = z
  .enum(['measurement', 'energy_counter', 'volume_counter', 'status', 'setpoint', 'command', 'info'])
  .describe('What the point is: counters are cumulative (kWh, m³) and feed consumption rollups');
export type PointRole = z.infer<typeof pointRoleSchema>;

/** A device's `stale_after` (every protocol publishes a resting value once as uncertain). */
export const staleAfterSchema = durationSchema
  .optional()
  .describe(
    'A measurement or counter unchanged for this long is published with quality uncertain, reason "stale" (e.g. 15min for a meter whose counter should move)',
  );

export const stalePointsSchema = z
  .array(slugSchema)
  .optional()
  .describe(
    'Points stale_after applies to (default: every measurement and counter; list them when some legitimately rest, e.g. an export counter that stays 0)',
  );

/** A problem of one connection found without I/O; `path` is relative to the connection entry. */
export interface ConnectionProblem {
  path: PropertyKey[];
  message: string;
}
