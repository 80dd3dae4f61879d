import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startCollector } from '../collector/main.ts';
import { systemClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import { startSims } from '../device-sims/main.ts';
import { loadScenario } from '../device-sims/scenario/load.ts';
import type { ServedValue } from '../device-sims/servers/registerImage.ts';
import { spawnCli } from './helpers/cli.ts';
import { writeTestSite } from './helpers/site.ts';
import { waitFor } from './helpers/wait.ts';
import { startMosquitto } from './servers/mosquitto.ts';
import { freePort } from './servers/process.ts';

/** Only for the length of a fault (the broker down for 60 s); results are waited for, not slept on. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The broker is down for 60 s while the gateway polls at 1 Hz; half-way through the outage the
 * gateway is killed with SIGKILL and started again. When the broker returns, every spooled batch
 * arrives exactly once: no sequence gap, no duplicate, and every value the meters served is
 * stored — except at most the one cycle the gateway had read but not yet spooled when it was killed.
 * The broker persists sessions, as a production one does (collector/README): one that forgot the
 * collector's subscription would drop whatever the gateway replays before the collector is back.
 */
describe('broker outage and a gateway crash during it', () => {
  it('loses nothing that was spooled and stores each batch once', async () => {
    const modbusPort = await freePort();
    const gatewayId = 'gw-outage';
    const { dir, file, scenarioFile } = writeTestSite({
      modbusPort,
      gatewayId,
      devices: ['m-a', 'm-b', 'm-c'],
      pollInterval: '1s',
    });
    const log = createLogger({ level: 'error' });
    const broker = await startMosquitto({ persistence: true });
    const mqttUrl = broker.url;
    const sims = await startSims({ scenario: loadScenario(scenarioFile), clock: systemClock, log });
    const served: ServedValue[] = [];
    sims.on('served', (v) => served.push(...v));
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-outage-')), 'store.db'));
    await store.open();
    const collector = await startCollector({
      site: loadSite(file),
      mqttUrl,
      store,
      log,
      clientId: 'c-outage',
    });
    const dataDir = join(dir, 'gw');
    const args = ['gateway', '--config', file, '--mqtt-url', mqttUrl, '--data-dir', dataDir];
    let gateway = spawnCli(args);
    const stored = () => Number(collector.status().detail?.batches);
    try {
      await waitFor('the collector to store the first batches', () => stored() >= 3, {
        seen: () => `${stored()} batches stored`,
      });
      await broker.halt(); // outage begins
      await sleep(30_000);
      gateway.child.kill('SIGKILL'); // crash while everything is in the spool
      await gateway.exited;
      gateway = spawnCli(args);
      await sleep(30_000);
      await broker.resume(); // outage ends after 60 s
      await waitFor('the spool to drain', () => spoolSize(dataDir, gatewayId) === 0, {
        timeoutMs: 120_000,
        seen: () => `${spoolSize(dataDir, gatewayId)} batches still spooled`,
      });
      expect(await gateway.stop()).toBe(0);
      await sims.stop();
      await waitFor('the collector to store the last batch', () => stored() === lastSeq(dataDir, gatewayId), {
        timeoutMs: 120_000,
        seen: () =>
          `${stored()} of ${lastSeq(dataDir, gatewayId)} batches stored, ${JSON.stringify(collector.status().detail)}`,
      });
    } finally {
      gateway.child.kill('SIGKILL');
      await collector.stop();
      await broker.stop();
    }
    const status = collector.status().detail as Record<string, number>;
    const rows = await store.queryReadings({});
    await store.close();
    const seqs = lastSeq(dataDir, gatewayId);
    expect(seqs).toBeGreaterThan(60); // a batch per second for over a minute
    expect(status.batches).toBe(seqs); // every batch 1..N stored
    expect(status.gaps).toBe(0);
    expect(rows.length).toBe(status.readings_stored); // no batch written twice
    const key = (r: { device: string; point: string; value: number | null }) =>
      `${r.device}/${r.point}=${r.value}`;
    const servedKeys = new Map<string, number>();
    for (const s of served) servedKeys.set(key(s), (servedKeys.get(key(s)) ?? 0) + 1);
    for (const r of rows) {
      const left = servedKeys.get(key(r)) ?? 0;
      expect(left, `stored but never served: ${key(r)}`).toBeGreaterThan(0);
      servedKeys.set(key(r), left - 1);
    }
    const lost = [...servedKeys.values()].reduce((a, b) => a + b, 0);
    expect(lost).toBeLessThanOrEqual(30); // at most the cycle (3 meters × 10 points) read but not spooled at the SIGKILL
  }, 420_000); // 60 s of outage, then bounds for a loaded machine
});

function spoolDb(dataDir: string, gatewayId: string): Database.Database {
  return new Database(join(dataDir, `gateway-${gatewayId}.spool.db`), {
    readonly: true,
    fileMustExist: true,
  });
}
function spoolSize(dataDir: string, gatewayId: string): number {
  const db = spoolDb(dataDir, gatewayId);
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM batches').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
function lastSeq(dataDir: string, gatewayId: string): number {
  const db = spoolDb(dataDir, gatewayId);
  try {
    return (
      (db.prepare("SELECT value FROM meta WHERE key = 'seq'").get() as { value: number } | undefined)
        ?.value ?? 0
    );
  } finally {
    db.close();
  }
}
