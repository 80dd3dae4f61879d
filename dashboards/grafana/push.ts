import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceUid, folder } from './dashboards.ts';

/** What Grafana answered when it refused, or why it could not be reached (status 0). */
export class GrafanaError extends Error {
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GrafanaError';
  }
}

export interface PushOptions {
  /** Grafana's base URL, e.g. https://grafana.example:3000 (a sub-path such as /grafana is kept). */
  url: string;
  /** A service account token (or API key), sent as `Authorization: Bearer`. */
  token: string;
  dashboards: Dashboard[];
  /** The version message Grafana keeps with each saved dashboard. */
  message: string;
  /** One line per thing done (folder created, dashboard saved). */
  say(line: string): void;
}

/**
 * Saves the dashboards into a running Grafana over its HTTP API: the folder 节能 (uid jieneng) is
 * looked up with `GET /api/folders/:uid` and created with `POST /api/folders` when missing, then each
 * dashboard goes to `POST /api/dashboards/db` with `{dashboard, folderUid, overwrite: true, message}`
 * (grafana.com/docs/grafana/latest/developers/http_api/dashboard, folder). The first answer that is
 * not a success stops it with Grafana's own message (401 a bad token, 403 a role without the right,
 * 412 a conflicting dashboard …).
 */
export async function pushDashboards(o: PushOptions): Promise<void> {
  // Origin and path only: a bare "?" or "#" (empty in URL's fields) would sit before /api/… .
  const parsed = new URL(o.url);
  const base = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${o.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new GrafanaError(
        `Grafana ${base} unreachable (${method} ${path}): ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        0,
        { cause: err },
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json: json as Record<string, unknown> | undefined, text };
  };
  const fail = (what: string, r: { status: number; json?: Record<string, unknown>; text: string }) => {
    const message =
      typeof r.json?.message === 'string' ? r.json.message : r.text.trim().slice(0, 300) || '(no message)';
    const status = typeof r.json?.status === 'string' ? ` (${r.json.status})` : '';
    const hint =
      r.status === 401
        ? ' — check GRAFANA_TOKEN: a service account token of this Grafana'
        : r.status === 403
          ? ' — the token’s service account needs the Editor role (folders:create, dashboards:write)'
          : '';
    return new GrafanaError(`Grafana ${what}: HTTP ${r.status}${status}: ${message}${hint}`, r.status);
  };

  const found = await call('GET', `/api/folders/${encodeURIComponent(folder.uid)}`);
  if (found.status === 404) {
    const made = await call('POST', '/api/folders', { uid: folder.uid, title: folder.title });
    if (made.status !== 200) throw fail(`POST /api/folders (${folder.title})`, made);
    o.say(`folder ${folder.title} (uid ${folder.uid}): created`);
  } else if (found.status === 200) {
    o.say(`folder ${folder.title} (uid ${folder.uid}): exists`);
  } else throw fail(`GET /api/folders/${folder.uid}`, found);

  const ds = await call('GET', `/api/datasources/uid/${encodeURIComponent(datasourceUid)}`);
  if (ds.status === 404)
    o.say(
      `warning: Grafana has no datasource with uid ${datasourceUid}: the panels will say "datasource not found" until it exists (provisioning/datasources/${datasourceUid}.yaml of \`jieneng dashboards export\`)`,
    );

  for (const d of o.dashboards) {
    const saved = await call('POST', '/api/dashboards/db', {
      dashboard: { ...d, id: null },
      folderUid: folder.uid,
      overwrite: true,
      message: o.message,
    });
    if (saved.status !== 200) throw fail(`POST /api/dashboards/db (${d.uid} ${d.title})`, saved);
    // Grafana answers the path with its sub-path (/grafana/d/…): resolved against the origin.
    const url = new URL(typeof saved.json?.url === 'string' ? saved.json.url : `d/${d.uid}`, `${base}/`).href;
    const version = saved.json?.version === undefined ? '' : `, version ${String(saved.json.version)}`;
    o.say(`dashboard ${d.title} (uid ${d.uid}): saved${version} — ${url}`);
  }
}
