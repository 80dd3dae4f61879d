import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/main.ts';

/**
 * Grafana cannot be installed on this machine, so `jieneng dashboards push` is tested against a
 * loopback HTTP server (node:http on 127.0.0.1:0) that stands in for Grafana: it checks each request
 * against the shape Grafana's HTTP API documents — method, path, `Authorization: Bearer <token>`,
 * a JSON body with the documented fields (grafana.com/docs/grafana/latest/developers/http_api/folder
 * and …/dashboard) — and answers as Grafana does, including its refusals (401, 412).
 */

const TOKEN = 'glsa_test-service-account-token';

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Record<string, unknown> | undefined;
}

interface FakeGrafana {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** The stand-in: a folder store and a dashboard store with versions, as Grafana keeps them. */
async function fakeGrafana(
  options: {
    folderExists?: boolean;
    datasource?: boolean;
    /** Answer POST /api/dashboards/db of this uid with Grafana's 412 version-mismatch. */
    conflictOn?: string;
    /** Grafana served under a sub-path (root_url http://host/grafana/). */
    subPath?: string;
  } = {},
): Promise<FakeGrafana> {
  const seen: Seen[] = [];
  const folders = new Map<string, { id: number; uid: string; title: string }>();
  if (options.folderExists) folders.set('jieneng', { id: 7, uid: 'jieneng', title: '节能' });
  const versions = new Map<string, number>();
  const sub = options.subPath ?? '';
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const path = (req.url ?? '').startsWith(sub) ? (req.url ?? '').slice(sub.length) : (req.url ?? '');
    let body: Record<string, unknown> | undefined;
    if (raw !== '') body = JSON.parse(raw) as Record<string, unknown>;
    seen.push({
      method: req.method ?? '',
      path,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    });
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return send(res, 401, { message: 'invalid API key' });
    if (req.method === 'GET' && path.startsWith('/api/folders/')) {
      const f = folders.get(decodeURIComponent(path.slice('/api/folders/'.length)));
      return f
        ? send(res, 200, { ...f, url: `${sub}/dashboards/f/${f.uid}/`, canSave: true, version: 1 })
        : send(res, 404, { message: 'folder not found', status: 'not-found' });
    }
    if (req.method === 'POST' && path === '/api/folders') {
      if (typeof body?.title !== 'string' || body.title === '')
        return send(res, 400, { message: 'folder title cannot be empty' });
      const uid = String(body.uid);
      if (folders.has(uid)) return send(res, 409, { message: 'a folder with the same uid already exists' });
      const f = { id: folders.size + 1, uid, title: body.title };
      folders.set(uid, f);
      return send(res, 200, { ...f, url: `${sub}/dashboards/f/${uid}/`, version: 1 });
    }
    if (req.method === 'GET' && path.startsWith('/api/datasources/uid/'))
      return options.datasource === false
        ? send(res, 404, { message: 'Data source not found' })
        : send(res, 200, { uid: 'jieneng-influx', type: 'influxdb', name: 'jieneng InfluxDB' });
    if (req.method === 'POST' && path === '/api/dashboards/db') {
      const d = body?.dashboard as { uid?: string; title?: string } | undefined;
      if (!d?.uid || !d.title) return send(res, 400, { message: 'Dashboard title cannot be empty' });
      if (typeof body?.folderUid === 'string' && !folders.has(body.folderUid))
        return send(res, 400, { message: 'folder not found', status: 'not-found' });
      if (d.uid === options.conflictOn)
        return send(res, 412, {
          message: 'The dashboard has been changed by someone else',
          status: 'version-mismatch',
        });
      const version = (versions.get(d.uid) ?? 0) + 1;
      versions.set(d.uid, version);
      const slug = d.uid;
      return send(res, 200, {
        id: [...versions.keys()].indexOf(d.uid) + 1,
        uid: d.uid,
        url: `${sub}/d/${d.uid}/${slug}`,
        status: 'success',
        version,
        slug,
      });
    }
    send(res, 404, { message: 'Not found' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${sub}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function push(url: string, token: string | undefined) {
  vi.stubEnv('GRAFANA_TOKEN', token);
  let out = '';
  let err = '';
  const code = await main(['dashboards', 'push', '--url', url], {
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err };
}

let grafana: FakeGrafana | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await grafana?.close();
  grafana = undefined;
});

describe('jieneng dashboards push (against a loopback stand-in for Grafana: Grafana cannot be installed here)', () => {
  it('creates the folder, then saves each dashboard with POST /api/dashboards/db {dashboard, folderUid, overwrite, message}', async () => {
    grafana = await fakeGrafana();
    const r = await push(grafana.url, TOKEN);
    expect(r.code, r.err).toBe(0);
    const calls = grafana.seen.map((s) => `${s.method} ${s.path}`);
    expect(calls).toEqual([
      'GET /api/folders/jieneng',
      'POST /api/folders',
      'GET /api/datasources/uid/jieneng-influx',
      'POST /api/dashboards/db',
      'POST /api/dashboards/db',
      'POST /api/dashboards/db',
    ]);
    for (const s of grafana.seen) expect(s.authorization).toBe(`Bearer ${TOKEN}`);
    const posts = grafana.seen.filter((s) => s.method === 'POST');
    for (const s of posts) expect(s.contentType).toBe('application/json');
    expect(posts[0]?.body).toEqual({ uid: 'jieneng', title: '节能' });
    const saves = posts.slice(1).map((s) => s.body as Record<string, unknown>);
    expect(saves.map((b) => Object.keys(b).sort())).toEqual(
      Array(3).fill(['dashboard', 'folderUid', 'message', 'overwrite']),
    );
    for (const b of saves) {
      expect(b).toMatchObject({ folderUid: 'jieneng', overwrite: true });
      expect(b.message).toBe('jieneng dashboards push: 福州市级机关办公区（演示） (fz-demo)');
      // id null: Grafana finds the dashboard by uid; a numeric id of another instance would not match.
      expect(b.dashboard).toMatchObject({ id: null, timezone: 'Asia/Shanghai' });
    }
    expect(saves.map((b) => (b.dashboard as { uid: string }).uid)).toEqual([
      'jieneng-overview',
      'jieneng-building',
      'jieneng-device-health',
    ]);
    expect(r.out).toContain('folder 节能 (uid jieneng): created');
    expect(r.out).toContain(
      `dashboard 能耗总览 (uid jieneng-overview): saved, version 1 — ${grafana.url}/d/jieneng-overview/jieneng-overview`,
    );
    expect(r.out).toContain(`3 dashboards in Grafana ${grafana.url}, folder 节能`);

    // Again: the folder is there, and each dashboard is overwritten as a new version.
    const again = await push(grafana.url, TOKEN);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('folder 节能 (uid jieneng): exists');
    expect(again.out).toContain('dashboard 设备健康 (uid jieneng-device-health): saved, version 2');
    expect(grafana.seen.filter((s) => s.path === '/api/folders' && s.method === 'POST')).toHaveLength(1);
  });

  it('keeps a sub-path of Grafana and warns when the datasource jieneng-influx is missing', async () => {
    grafana = await fakeGrafana({ folderExists: true, datasource: false, subPath: '/grafana' });
    const r = await push(`${grafana.url}/`, TOKEN);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('warning: Grafana has no datasource with uid jieneng-influx');
    expect(r.out).toContain(`saved, version 1 — ${grafana.url}/d/jieneng-building/jieneng-building`);
    expect(grafana.seen.filter((s) => s.method === 'POST').map((s) => s.path)).toEqual(
      Array(3).fill('/api/dashboards/db'),
    );
  });

  it("reports Grafana's 412 with Grafana's message and exits 1", async () => {
    grafana = await fakeGrafana({ folderExists: true, conflictOn: 'jieneng-building' });
    const r = await push(grafana.url, TOKEN);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'Grafana POST /api/dashboards/db (jieneng-building 楼宇详情): HTTP 412 (version-mismatch): The dashboard has been changed by someone else',
    );
    expect(r.out).toContain('dashboard 能耗总览 (uid jieneng-overview): saved');
    expect(r.out).not.toContain('设备健康');
  });

  it("reports a token Grafana refuses (401) with Grafana's message and exits 1", async () => {
    grafana = await fakeGrafana();
    const r = await push(grafana.url, 'glsa_wrong');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'Grafana GET /api/folders/jieneng: HTTP 401: invalid API key — check GRAFANA_TOKEN',
    );
    expect(grafana.seen.map((s) => s.authorization)).toEqual(['Bearer glsa_wrong']);
  });

  it('refuses without GRAFANA_TOKEN, saying so, before any request', async () => {
    grafana = await fakeGrafana();
    const r = await push(grafana.url, undefined);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no Grafana token — set GRAFANA_TOKEN');
    expect(grafana.seen).toEqual([]);
    const noUrl = await main(['dashboards', 'push'], { out: () => {}, err: () => {} });
    expect(noUrl).toBe(2);
  });

  it('says when Grafana cannot be reached, exit 1', async () => {
    grafana = await fakeGrafana();
    const url = grafana.url;
    await grafana.close();
    grafana = undefined;
    const r = await push(url, TOKEN);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /Grafana http:\/\/127\.0\.0\.1:\d+ unreachable \(GET \/api\/folders\/jieneng\): ECONNREFUSED/,
    );
  });

  it('refuses a URL with a password, a query or a fragment, never printing the password', async () => {
    grafana = await fakeGrafana();
    for (const url of [
      grafana.url.replace('http://', 'http://admin:hunter2@'),
      `${grafana.url}?orgId=1`,
      `${grafana.url}#x`,
      `${grafana.url}?`,
      `${grafana.url}#`,
    ]) {
      const r = await push(url, TOKEN);
      expect(r.code, url).toBe(2);
      expect(r.err).toMatch(/allowed: Grafana's address and path only/);
      expect(r.err).not.toContain('hunter2');
    }
    const unparsable = await push('http://admin:pa/ss@grafana.example:3000', TOKEN);
    expect(unparsable.code).toBe(2);
    expect(unparsable.err).not.toMatch(/pa\/ss|ss@/);
    expect(grafana.seen).toEqual([]);
  });
});
