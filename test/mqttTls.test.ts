import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { principalBroker } from '../cli/credentials.ts';
import { startCollector } from '../collector/main.ts';
import { systemClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { mqttClientOptions } from '../core/mqtt/connection.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import { startGateway } from '../gateway/main.ts';
import { writeClosedSite, writeMosquittoFiles } from './helpers/closedSite.ts';
import { startMeterServer } from './helpers/meterServer.ts';
import { waitFor } from './helpers/wait.ts';
import { startMosquitto } from './servers/mosquitto.ts';
import { requireBinary } from './servers/process.ts';

const log = createLogger({ level: 'warn' });

/** A test CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in a temp dir. */
function makeCertificates(): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const openssl = requireBinary('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'jn-tls-'));
  const at = (f: string) => join(dir, f);
  const run = (...args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=jieneng test CA',
  );
  const sign = (name: string, subject: string, ext: string) => {
    run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(at(`${name}.ext`), ext);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  sign('client', '/CN=jieneng-gateway', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: at('ca.crt'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    clientCert: at('client.crt'),
    clientKey: at('client.key'),
  };
}

describe('MQTT over TLS', () => {
  it('a gateway and the collector configured by platform.mqtt_tls deliver through a Mosquitto that requires client certificates; a client without the CA or without a certificate is refused', async () => {
    const certs = makeCertificates();
    const meters = await startMeterServer({ 1: { 72: 4321.5 } });
    const { dir, file, secrets } = await writeClosedSite({
      modbusPort: meters.port,
      platform: {
        mqtt_tls: { ca_file: certs.ca, cert_file: certs.clientCert, key_file: certs.clientKey },
      },
    });
    const { passwd, acl } = await writeMosquittoFiles(file, dir);
    const broker = await startMosquitto({
      passwordFile: passwd,
      aclFile: acl,
      tls: {
        cafile: certs.ca,
        certfile: certs.serverCert,
        keyfile: certs.serverKey,
        requireCertificate: true,
      },
    });
    const tlsUrl = broker.tlsUrl ?? '';
    // The site names its broker by the mqtts:// URL, as a real site would.
    const doc = parse(readFileSync(file, 'utf8'));
    doc.platform.mqtt_url = tlsUrl;
    writeFileSync(file, stringify(doc));
    const site = loadSite(file);
    const store = new SqliteStore(join(dir, 'jieneng.db'));
    await store.open();
    const stops: (() => Promise<unknown>)[] = [];
    try {
      const collector = await startCollector({
        site,
        ...principalBroker({ site, user: 'collector', log }),
        store,
        log,
        clientId: 'jn-tls-collector',
      });
      stops.push(() => collector.stop());
      const gateway = await startGateway({
        site,
        gatewayId: 'gw-a',
        ...principalBroker({ site, user: 'gateway-gw-a', log }),
        dataDir: join(dir, 'data'),
        clock: systemClock,
        log,
      });
      stops.push(() => gateway.stop());
      await waitFor(
        'the meter reading in the store, through TLS',
        async () =>
          (await store.queryReadings({})).some((r) => r.point === 'import_energy' && r.value === 4321.5),
        { seen: () => collector.status().detail },
      );

      const password = secrets.mqtt.get('control') ?? '';
      const attempt = (o: Parameters<typeof mqttClientOptions>[0]) =>
        mqtt.connectAsync(tlsUrl, mqttClientOptions(o, { reconnectPeriod: 0, connectTimeout: 20_000 }));
      // Without the CA the broker's certificate is not trusted.
      await expect(
        attempt({ username: 'control', password, cert: certs.clientCert, key: certs.clientKey }),
      ).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
      // With the CA but no client certificate, the broker refuses the handshake.
      await expect(attempt({ username: 'control', password, ca: certs.ca })).rejects.toThrow(
        /certificate|handshake|socket hang up|ECONNRESET|closed/i,
      );
      // Positive control: CA, certificate and password together get in.
      const ok = await attempt({
        username: 'control',
        password,
        ca: certs.ca,
        cert: certs.clientCert,
        key: certs.clientKey,
      });
      expect(ok.connected).toBe(true);
      await ok.endAsync();
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await store.close();
      await broker.stop();
      await meters.stop();
    }
  }, 120_000);
});
