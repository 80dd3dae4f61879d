import { readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { ReportPort } from '../core/reports/port.ts';
import type { Store } from '../core/store/store.ts';
import { assessmentKind } from './kinds/assessment.ts';
import { reportKinds } from './kinds/index.ts';
import { Ledger } from './ledger/ledger.ts';
import { reportContentTypes, reportExtensions } from './render/render.ts';

/** The prefix of the temporary folders uploads are read from (one per call, removed after it). */
export const UPLOAD_PREFIX = 'jn-upload-';

/**
 * Removes upload folders older than an hour that a crashed or killed jieneng left behind (an
 * upload is read in seconds). Returns the folders removed; a folder it cannot read or remove is
 * left as it is.
 */
export function sweepUploads(dir = tmpdir(), now = Date.now(), maxAgeMs = 3_600_000): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(UPLOAD_PREFIX));
  } catch {
    return removed;
  }
  for (const n of names) {
    const path = join(dir, n);
    try {
      const st = statSync(path);
      if (!st.isDirectory() || now - st.mtimeMs < maxAgeMs) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // another process's, or gone already
    }
  }
  return removed;
}

/**
 * The reports service over a site, its store and its ledger file: what the API serves. The ledger
 * is opened per call (SQLite, WAL), so the CLI's imports are seen at once.
 */
export function createReports(ctx: {
  site: LoadedSite;
  store: Store;
  ledgerFile: string;
  /** Where the store and ledger live, as the report names it (default: the ledger file's folder). */
  dataDir?: string;
  /** Today, for what a year to date is (default the system clock). */
  now?: () => number;
  /** Where upload folders are made and swept at start (default the system's temporary folder). */
  uploadDir?: string;
}): ReportPort {
  const uploadDir = ctx.uploadDir ?? tmpdir();
  sweepUploads(uploadDir);
  const withLedger = <T>(fn: (l: Ledger) => T): T => {
    const ledger = new Ledger(ctx.ledgerFile);
    try {
      return fn(ledger);
    } finally {
      ledger.close();
    }
  };
  return {
    intensity: async (q) => {
      const ledger = new Ledger(ctx.ledgerFile);
      try {
        const sources = {
          site: ctx.site,
          store: ctx.store,
          ledger,
          dataDir: resolve(ctx.dataDir ?? dirname(ctx.ledgerFile)), // absolute: the report names it
          now: ctx.now,
        };
        return await reportKinds.intensity.build(sources, q);
      } finally {
        ledger.close();
      }
    },
    assessment: async (q) => {
      const ledger = new Ledger(ctx.ledgerFile);
      try {
        const sources = {
          site: ctx.site,
          store: ctx.store,
          ledger,
          dataDir: resolve(ctx.dataDir ?? dirname(ctx.ledgerFile)),
          now: ctx.now,
        };
        return await assessmentKind.build(sources, q);
      } finally {
        ledger.close();
      }
    },
    renderAssessment: async (report, format) => ({
      body: await assessmentKind.render(report, format),
      contentType: reportContentTypes[format],
      extension: reportExtensions[format],
    }),
    statistics: async (q) => {
      const ledger = new Ledger(ctx.ledgerFile);
      try {
        const sources = {
          site: ctx.site,
          store: ctx.store,
          ledger,
          dataDir: resolve(ctx.dataDir ?? dirname(ctx.ledgerFile)),
          now: ctx.now,
        };
        return await reportKinds.statistics.build(sources, q);
      } finally {
        ledger.close();
      }
    },
    renderStatistics: async (report) => ({
      body: await reportKinds.statistics.render(report, 'xlsx'),
      contentType: reportContentTypes.xlsx,
      extension: reportExtensions.xlsx,
    }),
    render: async (report, format) => ({
      body: await reportKinds.intensity.render(report, format),
      contentType: reportContentTypes[format],
      extension: reportExtensions[format],
    }),
    enter: (kind, items, who, options) =>
      withLedger((l) => l.enter(kind, items, who, ctx.site.config, new Date(), options)),
    enterFile: async (kind, file, who, options) => {
      // The ledger reads files by name (the name is how its problems name the rows): a private
      // temporary folder holds the upload for the call.
      const dir = await mkdtemp(join(uploadDir, UPLOAD_PREFIX));
      // The route refuses control characters; not trusted here (NUL would reach the file system).
      const plain = [...file.name].map((c) => (c < ' ' || c === '\x7f' ? '_' : c)).join('');
      const name = basename(plain.replaceAll('\\', '/')) || 'upload';
      const path = join(dir, name);
      try {
        await writeFile(path, file.bytes);
        const ledger = new Ledger(ctx.ledgerFile);
        try {
          return await ledger.importFile(kind, path, ctx.site.config, new Date(), {
            replace: !!options?.replace,
            origin: `api:${who}:${name}`,
            action: `upload ${kind}`,
            hint: '请改正文件，或以 replace=true 重新上传以替换所重叠的记录',
          });
        } finally {
          ledger.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    facts: () => withLedger((l) => l.facts()),
    entries: () => withLedger((l) => l.entries()),
    audit: () => withLedger((l) => l.auditLog(ctx.site.config.site.timezone)),
  };
}
