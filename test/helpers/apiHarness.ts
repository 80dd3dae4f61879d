import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuth } from '../../api/auth/auth.ts';
import { type Api, startApi } from '../../api/main.ts';
import type { Dispatcher } from '../../control/engine.ts';
import { ControlService } from '../../control/service.ts';
import { AlarmDb } from '../../core/alarms/db.ts';
import { systemActor } from '../../core/auth/actor.ts';
import { ManualClock } from '../../core/clock.ts';
import { type LoadedSite, loadSite } from '../../core/config/loadSite.ts';
import { createLogger } from '../../core/log.ts';
import { SqliteStore } from '../../core/store/sqliteStore.ts';
import { createReports } from '../../reports/service.ts';

/** The whole API over real parts: the demo site, an embedded store, the ledger, the control service. */
export interface ApiHarness {
  api: Api;
  site: LoadedSite;
  service: ControlService;
  store: SqliteStore;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Headers of an admin (may call every route): a real API token made in auth.db before the start. */
  headers: Record<string, string>;
  dir: string;
  /** Alarms in the harness's alarms.db: an active one (not_following) and a cleared one (meter_balance). */
  alarms: { active: number; cleared: number };
  stop(): Promise<void>;
}

/**
 * Starts the API as `jieneng start` composes it, on 127.0.0.1 port 0, with a month of daily
 * rollups and a reading per meter so valid requests reach real answers. Devices are an in-memory
 * stand-in that applies every write (the gateway path is tested in controlSafety.test.ts).
 */
export async function startApiHarness(
  options: { recordResponses?: string; mqttUrl?: string } = {},
): Promise<ApiHarness> {
  const site = loadSite(join(import.meta.dirname, '../../examples/demo-site.yaml'));
  const dir = mkdtempSync(join(tmpdir(), 'jn-api-harness-'));
  const log = createLogger({ level: 'error' });
  const store = new SqliteStore(join(dir, 'jieneng.db'));
  await store.open();
  const meter = site.config.meters[0];
  const start = Date.parse('2025-07-01T00:00:00+08:00');
  await store.writeRollups(
    Array.from({ length: 31 }, (_, i) => ({
      period: 'day' as const,
      meter: meter?.id ?? 'none',
      start: start + i * 86_400_000,
      value: 100 + i,
      estimated: 0,
      unit: 'kWh',
    })),
  );
  const dispatcher: Dispatcher = { write: async (c) => ({ status: 'written', readBack: c.value }) };
  const clock = new ManualClock(Date.parse('2025-09-29T17:30:00+08:00'));
  const service = new ControlService({
    site,
    dbFile: join(dir, 'control.db'),
    dispatcher,
    latest: () => undefined,
    clock,
    log,
  });
  await service.tick();
  // An admin token, made the way `jieneng token create` makes one, in the auth.db the API opens.
  const auth = createAuth({ file: join(dir, 'auth.db'), log });
  const { token } = auth.createToken({ name: 'contract-test', role: 'admin', by: systemActor });
  auth.close();
  const alarms = seedAlarms(join(dir, 'alarms.db'), site, clock.now());
  const api = await startApi({
    dataDir: dir,
    store,
    health: async () => ({}),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: '' }),
    log,
    port: 0,
    site,
    reports: createReports({ site, store, ledgerFile: join(dir, 'ledger.db') }),
    control: service,
    clock,
    ...(options.recordResponses ? { recordResponses: options.recordResponses } : {}),
    // With a broker: device availability and the event stream (GET /stream is mounted only then).
    ...(options.mqttUrl ? { mqttUrl: options.mqttUrl } : {}),
  });
  return {
    api,
    site,
    service,
    store,
    dir,
    alarms,
    base: `http://127.0.0.1:${api.port}`,
    headers: { authorization: `Bearer ${token}` },
    stop: async () => {
      await api.stop();
      service.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Two alarms as the alarm service would leave them: one still active, one cleared and unacknowledged. */
function seedAlarms(file: string, site: LoadedSite, now: number): { active: number; cleared: number } {
  const db = new AlarmDb(file, site.config.site.timezone);
  const at = new Date(now).toISOString();
  const building = site.config.organization.buildings[0]?.id ?? 'none';
  const raise = (rule: 'not_following' | 'meter_balance', key: string, active: boolean, t: number) =>
    db.observe(
      { rule, key, active, at, message: `${rule} ${key}`, message_zh: `${rule} ${key}（测试）`, building },
      { now: t, severity: 'major', holdOffMs: 600_000 },
    );
  const active = raise('not_following', 'harness/on_off', true, now - 3_600_000)[0]?.alarm.id ?? 0;
  const cleared = raise('meter_balance', building, true, now - 7_200_000)[0]?.alarm.id ?? 0;
  raise('meter_balance', building, false, now - 1_800_000);
  db.close();
  return { active, cleared };
}
