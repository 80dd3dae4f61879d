import { pointKey } from '../core/control/points.ts';
import type { Logger } from '../core/log.ts';
import type { ControlDb } from './db.ts';
import type { ControlEngine } from './engine.ts';
import { type PrivilegeRequest, privilegeRefusal } from './privileges.ts';

/**
 * A command's refusal by the command privileges (control/privileges.ts), audited as rejected like
 * any other refusal and logged; undefined when the actor may. An unknown point is left to the
 * engine, which names the points there are.
 */
export function refuseByPrivilege(
  ctx: {
    db: ControlDb;
    engine: ControlEngine;
    now: number;
    log: Logger;
    onAudit?: ((entry: { action: string; outcome: string }) => void) | undefined;
  },
  req: PrivilegeRequest & { device: string; point: string },
) {
  const key = pointKey(req.device, req.point);
  if (!ctx.engine.points.has(key)) return undefined;
  const refusal = privilegeRefusal(req, ctx.now);
  if (!refusal) return undefined;
  const action = req.value === null ? 'relinquish' : 'set';
  const source = `user:${req.actor.user}`;
  ctx.onAudit?.({ action, outcome: 'rejected' });
  ctx.db.audit({
    at: new Date(ctx.now).toISOString(),
    source,
    device: req.device,
    point: req.point,
    priority: req.priority,
    action,
    outcome: 'rejected',
    requested: req.value,
    effective: ctx.engine.effective(key).value,
    read_back: null,
    reason: refusal.message,
    correlation_id: null,
  });
  ctx.log.child('control').warn('command refused by privilege', { point: key, source, rule: refusal.rule });
  return {
    accepted: false,
    reason: refusal.message,
    reason_zh: refusal.zh,
    code: refusal.code,
    rule: refusal.rule,
    effective: ctx.engine.effective(key),
  };
}
