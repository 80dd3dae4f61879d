import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../api/auth/auth.ts';
import { type Api, startApi } from '../api/main.ts';
import { systemActor } from '../core/auth/actor.ts';
import { createLogger } from '../core/log.ts';
import { requireBinary } from './servers/process.ts';

/**
 * HTTPS for the API (`--tls-cert/--tls-key`): a certificate for 127.0.0.1 made with openssl in the
 * test, a client that trusts only it, the security headers, and a session cookie marked Secure.
 */
const dir = mkdtempSync(join(tmpdir(), 'jn-api-tls-'));
const log = createLogger({ level: 'error' });
let api: Api;
let ca: Buffer;

beforeAll(async () => {
  execFileSync(
    requireBinary('openssl', 'openssl'),
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
    ].concat([
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]),
    { stdio: 'pipe' },
  );
  ca = readFileSync(join(dir, 'cert.pem'));
  const auth = createAuth({ file: join(dir, 'auth.db'), log });
  await auth.addUser({ name: '运维', role: 'viewer', password: 'a long enough password', by: systemActor });
  auth.close();
  api = await startApi({
    dataDir: dir,
    store: undefined as never,
    health: async () => ({}),
    log,
    port: 0,
    tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
  });
});
afterAll(async () => {
  await api?.stop();
});

/** One HTTPS request trusting only the test certificate. */
function https(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: api.port,
        method,
        path,
        ca,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('the API over HTTPS', () => {
  it('serves health with HSTS and the security headers', async () => {
    const res = await https('GET', '/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['access-control-allow-origin']).toBeUndefined(); // CORS closed by default
  });

  it('marks the session cookie Secure, HttpOnly and SameSite=Strict', async () => {
    const res = await https('POST', '/api/v1/auth/login', {
      user: '运维',
      password: 'a long enough password',
    });
    expect(res.status).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^jn_session=/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
  });

  it('refuses a client that does not trust the certificate, and plain HTTP gets no API', async () => {
    await expect(fetch(`https://127.0.0.1:${api.port}/api/v1/health`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${api.port}/api/v1/health`)).rejects.toThrow();
  });
});
