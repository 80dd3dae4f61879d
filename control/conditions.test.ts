import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conditionSnapshotSchema } from '../core/alarms/model.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { type ControlCondition, SnapshotPublisher } from './conditions.ts';
import { ControlDb } from './db.ts';
import { ControlEngine, type Dispatcher, type WriteOutcome } from './engine.ts';

/**
 * Issue 17, control's part: what it sees wrong is a condition per point — not_following (the
 * device reads back or reports something else than was written) and write_failing (writes failing
 * twice in a row) — raised AND cleared as it happens, every change handed on as the whole set.
 */
const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
const log = createLogger({ level: 'error' });
const AC = 'zonghe-lou-f1-3-ac';
/** The conditions of the AC's on_off (a tick writes every point with a relinquish default, each failing alike). */
const onOff = (list: ControlCondition[] | undefined) => (list ?? []).filter((c) => c.key === `${AC}/on_off`);

function setup() {
  const clock = new ManualClock(Date.parse('2025-09-29T09:00:00+08:00'));
  const device = new Map<string, number>();
  /** What the next write does: the device takes the value (default), keeps its own, or the write fails. */
  let behaviour: 'follow' | 'stuck' | 'timeout' = 'follow';
  const dispatcher: Dispatcher = {
    write: async (c): Promise<WriteOutcome> => {
      if (behaviour === 'timeout') return { status: 'timeout', reason: 'no answer from the gateway' };
      if (behaviour === 'follow') device.set(`${c.device}/${c.point}`, c.value);
      return { status: 'written', readBack: device.get(`${c.device}/${c.point}`) ?? 0 };
    },
  };
  const db = new ControlDb(join(mkdtempSync(join(tmpdir(), 'jn-control-cond-')), 'control.db'));
  const sets: ControlCondition[][] = [];
  const latest = (d: string, p: string) => device.get(`${d}/${p}`);
  const engine = new ControlEngine({
    site,
    db,
    dispatcher,
    clock,
    log,
    latest,
    onConditions: (c) => sets.push(c),
  });
  const set = (b: typeof behaviour) => {
    behaviour = b;
  };
  return { clock, device, engine, sets, set, latest };
}

describe('control conditions', () => {
  it('raises not_following on a read-back that differs, and clears it when the point follows again', async () => {
    const { clock, device, engine, sets, set, latest } = setup();
    set('stuck');
    device.set(`${AC}/on_off`, 0);
    await engine.request({ device: AC, point: 'on_off', priority: 8, value: 1, source: 'user:张工' });
    expect(sets).toHaveLength(1);
    expect(sets[0]).toEqual([
      expect.objectContaining({
        rule: 'not_following',
        key: `${AC}/on_off`,
        device: AC,
        point: 'on_off',
        gateway: site.devices.get(AC)?.gatewayId,
        value: 0,
        at: '2025-09-29T01:00:00.000Z',
        cause: `device_offline:${AC}`,
        message: `${AC}/on_off does not follow its command: read back 0 after writing 1`,
      }),
    ]);
    expect(sets[0]?.[0]?.message_zh).toMatch(/未执行指令：写入 1 后回读 0/);
    // Still off two minutes on: the same condition, nothing new to say.
    clock.advance(150_000);
    engine.checkFollowing(latest);
    expect(engine.conditions.list()).toHaveLength(1);
    expect(sets.at(-1)?.[0]?.message).toMatch(/reports 0 but was set to 1 at 2025-09-29 09:00$/);
    // Someone switched the unit on at its panel: it follows now, and the condition clears.
    device.set(`${AC}/on_off`, 1);
    engine.checkFollowing(latest);
    expect(sets.at(-1)).toEqual([]);
    expect(engine.conditions.list()).toEqual([]);
  });

  it('does not judge a value read before the write (an accelerated clock passes the grace before the next poll)', async () => {
    const { clock, device, engine, sets, set, latest } = setup();
    set('follow');
    device.set(`${AC}/on_off`, 0);
    await engine.request({ device: AC, point: 'on_off', priority: 8, value: 1, source: 'user:张工' });
    const written = clock.now();
    // The telemetry still holds the reading of a poll before the write.
    device.set(`${AC}/on_off`, 0);
    let readAt = written - 1_000;
    clock.advance(150_000);
    engine.checkFollowing(latest, undefined, () => readAt);
    expect(onOff(sets.at(-1))).toEqual([]);
    // A poll after the write that still reads 0: now it does not follow.
    readAt = clock.now();
    engine.checkFollowing(latest, undefined, () => readAt);
    expect(onOff(sets.at(-1))[0]).toMatchObject({ rule: 'not_following', value: 0 });
  });

  it('raises write_failing after two failures in a row, caused by the gateway on timeouts, and clears it on a write that succeeds', async () => {
    const { clock, engine, sets, set } = setup();
    set('timeout');
    await engine.request({ device: AC, point: 'on_off', priority: 8, value: 1, source: 'user:张工' });
    expect(onOff(sets.at(-1))).toEqual([]); // one failure is retried quietly
    clock.advance(61_000);
    await engine.tick();
    const failing = onOff(sets.at(-1))[0];
    expect(failing).toMatchObject({
      rule: 'write_failing',
      key: `${AC}/on_off`,
      value: 2,
      cause: `gateway_offline:${site.devices.get(AC)?.gatewayId}`,
    });
    expect(failing?.message).toMatch(/write of 1 timeout 2 times in a row: no answer from the gateway/);
    expect(failing?.message_zh).toMatch(/写入 1 连续 2 次超时/);
    clock.advance(61_000);
    await engine.tick(); // a third failure: the count goes up, the condition is the same one
    expect(onOff(engine.conditions.list())).toMatchObject([
      { rule: 'write_failing', value: 3, at: failing?.at },
    ]);
    set('follow');
    clock.advance(61_000);
    await engine.tick();
    expect(engine.conditions.list()).toEqual([]);
    expect(sets.at(-1)).toEqual([]);
  });

  it('clears write_failing when the value that could not be written is no longer wanted', async () => {
    const { clock, engine, set } = setup();
    set('timeout');
    await engine.request({ device: AC, point: 'on_off', priority: 8, value: 1, source: 'user:张工' });
    clock.advance(61_000);
    await engine.tick();
    expect(onOff(engine.conditions.list())).toHaveLength(1);
    // The override is taken back; nothing else holds the point: no write is wanted any more.
    await engine.request({ device: AC, point: 'on_off', priority: 8, value: null, source: 'user:张工' });
    expect(onOff(engine.conditions.list())).toEqual([]);
  });
});

describe('SnapshotPublisher', () => {
  it('publishes each change as a valid retained snapshot, the newest after one in flight, and again after a reconnect', async () => {
    const sent: string[] = [];
    let release: () => void = () => {};
    const publisher = new SnapshotPublisher({
      topic: 'jn/v1/conditions/control/demo',
      source: 'control/demo',
      publish: (_t, payload) => {
        sent.push(payload);
        return new Promise<void>((r) => {
          release = r;
        });
      },
      now: () => Date.parse('2025-09-29T09:00:00+08:00'),
      onError: () => {},
    });
    const condition: ControlCondition = {
      rule: 'not_following',
      key: `${AC}/on_off`,
      at: '2025-09-29T01:00:00.000Z',
      message: 'x',
      message_zh: 'x',
    };
    publisher.republish();
    publisher.update([condition]); // while the first is in flight
    publisher.update([condition]);
    expect(sent).toHaveLength(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toHaveLength(2);
    release();
    await new Promise((r) => setTimeout(r, 0));
    publisher.update([condition]); // unchanged: not sent again
    expect(sent).toHaveLength(2);
    publisher.republish();
    expect(sent).toHaveLength(3);
    const snaps = sent.map((p) => conditionSnapshotSchema.parse(JSON.parse(p)));
    expect(snaps.map((s) => s.conditions.length)).toEqual([0, 1, 1]);
    expect(snaps[0]?.source).toBe('control/demo');
  });
});
