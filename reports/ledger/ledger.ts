import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SiteConfig } from '../../core/config/siteSchema.ts';
import { ImportError, type LedgerKind } from '../../core/reports/port.ts';
import type { BuildingFact, EnergyEntry } from '../../core/reports/report.ts';
import { type Densities, loadDensities } from './densities.ts';
import { localInstant, localIso } from './localTime.ts';
import {
  overlapsWithin,
  repeatsWithin,
  type StoredEntry,
  type StoredFact,
  sameEntry,
  sameFact,
  storedFact,
  storedOverlap,
} from './overlap.ts';
import { readLedgerFile } from './read.ts';
import { type EntryRow, entrySchema, type FactRow, factSchema, type SchemaContext } from './schema.ts';
import { checkRows, type Located, objectRows, type RowSet } from './validate.ts';

export { ENTRY_COLUMNS, FACT_COLUMNS } from './schema.ts';
export { ImportError, type LedgerKind };

/** How rows that overlap stored ones are treated: refused (default), or `replace` them, audited. */
export interface EnterOptions {
  replace?: boolean;
}

/** A file that came through the API: who sent it and how a refusal says to replace (not the CLI's --replace). */
export interface FileOrigin {
  /** Stored as the entries' source_file and in the audit, e.g. "api:李科长:台账.csv". */
  origin?: string;
  hint?: string;
  action?: string;
}

/** A stored row that an import replaced, and the rows that replaced it (both as stored). */
export interface Replacement {
  old: StoredEntry | StoredFact;
  by: (EntryRow | FactRow)[];
}

/** What an import or API call stored. */
export interface ImportResult {
  imported: number;
  /** Stored rows removed: replaced on request, or identical re-imports of the same row. */
  replaced: number;
  /** Of `replaced`, those the new row repeated exactly (a file imported twice). */
  identical: number;
  /** What was replaced by what (identical re-imports left out). */
  replacements: Replacement[];
  /** How the rows were read: encoding, numbers with thousands separators. */
  notes: string[];
  encoding?: string;
}

interface Origin {
  origin: string;
  action: string;
  site: SiteConfig;
  now: Date;
  replace: boolean;
  /** How the caller asks to replace, for the overlap problem ("import with --replace …"). */
  hint: string;
}

/** When an import happened, as stored: an ISO instant with the site's offset (2026-12-02T07:58:51.066+08:00). */
const stampOf = (o: Origin): string => localInstant(o.now, o.site.site.timezone);
/** How a refusal of `o` reads: its hint, import times in the site's zone. */
const refusal = (o: Origin) => ({ hint: o.hint, timeZone: o.site.site.timezone });

const ENTRY_FIELDS =
  'building, period_start, period_end, energy_type, quantity, quantity_given, unit_given, source, cost_yuan, conversion, source_file, imported_at';
const FACT_FIELDS = 'building, effective_from, floor_area_m2, headcount, source_file, imported_at';

/**
 * What officers enter rather than meter — dated building facts (建筑面积, 用能人数) and energy
 * entries (bills for baseline years, vehicle fuel, bottled gas, purchased heat) — in
 * `<data-dir>/ledger.db` (SQLite), with an audit trail of every import. Every row is checked by
 * one schema per kind (schema.ts) whichever way it arrives; a file or request is stored whole or
 * not at all; an entry overlapping a stored one of the same building and energy type is refused
 * unless the caller asks to replace it, and the audit keeps what was replaced by what.
 */
export class Ledger {
  private readonly db: Database.Database;
  private readonly densities: Densities;

  /** `densities`: kg/L of gasoline and diesel (default reports/data/densities.yaml). */
  constructor(file: string, options: { densities?: Densities } = {}) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS facts (
        building TEXT NOT NULL, effective_from TEXT NOT NULL, floor_area_m2 REAL NOT NULL, headcount REAL NOT NULL,
        source_file TEXT NOT NULL, imported_at TEXT NOT NULL, PRIMARY KEY (building, effective_from));
      CREATE TABLE IF NOT EXISTS entries (
        building TEXT NOT NULL, period_start TEXT NOT NULL, period_end TEXT NOT NULL, energy_type TEXT NOT NULL,
        quantity REAL NOT NULL, quantity_given REAL NOT NULL, unit_given TEXT NOT NULL, source TEXT NOT NULL,
        source_file TEXT NOT NULL, imported_at TEXT NOT NULL,
        PRIMARY KEY (building, energy_type, period_start, period_end));
      CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);`);
    // Ledgers written before issue 14 have neither column: add them, the rows read as null.
    const have = (this.db.prepare('PRAGMA table_info(entries)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    if (!have.includes('cost_yuan')) this.db.exec('ALTER TABLE entries ADD COLUMN cost_yuan REAL');
    if (!have.includes('conversion')) this.db.exec('ALTER TABLE entries ADD COLUMN conversion TEXT');
    this.densities = options.densities ?? loadDensities();
  }

  /**
   * Checks every row of a CSV or XLSX file (facts or entries) against the site and stores all of
   * them, or none (ImportError, each problem naming file, row, column and value).
   */
  async importFile(
    kind: LedgerKind,
    file: string,
    site: SiteConfig,
    now = new Date(),
    options: EnterOptions & FileOrigin = {},
  ): Promise<ImportResult> {
    const set = await readLedgerFile(kind, file);
    const origin = options.origin ?? file.split(/[\\/]/).pop() ?? file;
    const hint = options.hint ?? '请改正文件，或用 --replace 导入以替换所重叠的记录';
    return this.add(kind, set, {
      origin,
      action: options.action ?? `import ${kind}`,
      site,
      now,
      replace: !!options.replace,
      hint,
    });
  }

  /** Facts or entries through the API (a list of objects with the CSV's columns); all or none. */
  enter(
    kind: LedgerKind,
    items: unknown[],
    who: string,
    site: SiteConfig,
    now = new Date(),
    options: EnterOptions = {},
  ): ImportResult {
    const hint = '请用 replace=true 重新提交以替换所重叠的记录';
    const origin = {
      origin: `api:${who}`,
      action: `enter ${kind}`,
      site,
      now,
      replace: !!options.replace,
      hint,
    };
    return this.add(kind, objectRows(items, kind), origin);
  }

  private add(kind: LedgerKind, set: RowSet, o: Origin): ImportResult {
    const ctx: SchemaContext = {
      buildings: o.site.organization.buildings.map((b) => ({ id: b.id, name: b.name })),
      densities: this.densities,
    };
    const base = { notes: [] as string[], ...(set.encoding ? { encoding: set.encoding } : {}) };
    // Every row is checked: the rows that are valid are checked for overlaps (within the file and
    // with the ledger) even when others are not, so that one round names every problem.
    if (kind === 'facts') {
      const checked = checkRows(kind, factSchema(ctx), set);
      const problems = [...checked.problems, ...repeatsWithin(checked.rows)];
      return { ...base, notes: checked.notes, ...this.storeFacts(checked.rows, problems, o, set.encoding) };
    }
    const checked = checkRows(kind, entrySchema(ctx), set);
    const problems = [...checked.problems, ...overlapsWithin(checked.rows)];
    return { ...base, notes: checked.notes, ...this.storeEntries(checked.rows, problems, o, set.encoding) };
  }

  /** Stores `rows` unless `earlier` (problems found so far) or an overlap with the ledger refuses them all. */
  private storeEntries(rows: Located<EntryRow>[], earlier: string[], o: Origin, encoding?: string) {
    const overlapping = this.db.prepare(
      `SELECT ${ENTRY_FIELDS} FROM entries WHERE building = ? AND energy_type = ? AND period_start <= ? AND period_end >= ?
       ORDER BY period_start`,
    );
    const remove = this.db.prepare(
      'DELETE FROM entries WHERE building = ? AND energy_type = ? AND period_start = ? AND period_end = ?',
    );
    const insert = this.db.prepare(`INSERT INTO entries (${ENTRY_FIELDS}) VALUES (@building, @period_start,
      @period_end, @energy_type, @quantity, @quantity_given, @unit_given, @source, @cost_yuan, @conversion,
      @source_file, @imported_at)`);
    return this.db.transaction(() => {
      const problems = [...earlier];
      const replaced = new Map<string, Replacement>();
      const gone = new Map<string, StoredEntry>();
      let identical = 0;
      // Every overlap is looked up before anything is deleted, so a stored annual entry replaced
      // by two half years names both in its replacement.
      for (const { row, at } of rows) {
        const found = overlapping.all(row.building, row.energy_type, row.period_end, row.period_start);
        const conflicts: StoredEntry[] = [];
        for (const s of found as StoredEntry[]) {
          const key = `${s.building} ${s.energy_type} ${s.period_start} ${s.period_end}`;
          if (sameEntry(s, row)) identical++;
          else if (!o.replace) conflicts.push(s);
          else replaced.set(key, { old: s, by: [...(replaced.get(key)?.by ?? []), row] });
          gone.set(key, s);
        }
        if (conflicts.length > 0) problems.push(storedOverlap(at, row, conflicts, refusal(o)));
      }
      if (problems.length > 0) throw new ImportError(problems);
      for (const s of gone.values()) remove.run(s.building, s.energy_type, s.period_start, s.period_end);
      const stamp = { source_file: o.origin, imported_at: stampOf(o) };
      for (const { row } of rows) insert.run({ ...row, ...stamp });
      return this.finish(o, rows.length, identical, [...replaced.values()], encoding);
    })();
  }

  /** Stores `rows` unless `earlier` or a stored fact with other figures refuses them all. */
  private storeFacts(rows: Located<FactRow>[], earlier: string[], o: Origin, encoding?: string) {
    const stored = this.db.prepare(
      `SELECT ${FACT_FIELDS} FROM facts WHERE building = ? AND effective_from = ?`,
    );
    const insert = this.db.prepare(`INSERT OR REPLACE INTO facts (${FACT_FIELDS}) VALUES (@building,
      @effective_from, @floor_area_m2, @headcount, @source_file, @imported_at)`);
    return this.db.transaction(() => {
      const problems = [...earlier];
      const replacements: Replacement[] = [];
      let identical = 0;
      for (const { row, at } of rows) {
        const s = stored.get(row.building, row.effective_from) as StoredFact | undefined;
        if (!s) continue;
        if (sameFact(s, row)) identical++;
        else if (o.replace) replacements.push({ old: s, by: [row] });
        else
          problems.push(
            storedFact(at, row, s, {
              ...refusal(o),
              hint: o.hint.replace('所重叠的记录', '已存的记录'),
            }),
          );
      }
      if (problems.length > 0) throw new ImportError(problems);
      const stamp = { source_file: o.origin, imported_at: stampOf(o) };
      for (const { row } of rows) insert.run({ ...row, ...stamp });
      return this.finish(o, rows.length, identical, replacements, encoding);
    })();
  }

  /** The audit line of a stored import: how many rows, from where, and exactly what they replaced. */
  private finish(
    o: Origin,
    imported: number,
    identical: number,
    replacements: Replacement[],
    encoding?: string,
  ) {
    const replaced = identical + replacements.length;
    this.audit(stampOf(o), o.action, {
      origin: o.origin,
      rows: imported,
      replaced,
      identical,
      ...(encoding ? { encoding } : {}),
      replacements,
    });
    return { imported, replaced, identical, replacements };
  }

  /** Building facts: floor area in m², headcount in people, from `effective_from` on. */
  facts(): BuildingFact[] {
    return this.db
      .prepare(
        'SELECT building, effective_from, floor_area_m2, headcount FROM facts ORDER BY building, effective_from',
      )
      .all() as BuildingFact[];
  }

  /** Energy entries in the type's unit, with what was entered, the conversion (null: none) and cost in yuan. */
  entries(): EnergyEntry[] {
    const rows = this.db
      .prepare(
        `SELECT building, period_start, period_end, energy_type, quantity, source, quantity_given, unit_given,
         conversion, cost_yuan FROM entries ORDER BY building, energy_type, period_start`,
      )
      .all() as (EnergyEntry & { conversion: string | null })[];
    return rows.map(({ conversion, ...e }) => (conversion === null ? e : { ...e, conversion }));
  }

  /**
   * Every import and API entry, oldest first; `detail` holds the origin, counts and replacements.
   * Times are ISO instants with the site's offset; with `timeZone`, lines stored in UTC ("Z",
   * before times were stored local) and the replaced rows' import times are given in it too.
   */
  auditLog(timeZone?: string): { at: string; action: string; detail: unknown }[] {
    const local = (t: string) => (timeZone ? localIso(t, timeZone) : t);
    const rows = this.db.prepare('SELECT at, action, detail FROM audit ORDER BY id').all() as {
      at: string;
      action: string;
      detail: string;
    }[];
    return rows.map((r) => {
      const detail = JSON.parse(r.detail) as { replacements?: { old: { imported_at?: string } }[] };
      for (const x of detail.replacements ?? [])
        if (typeof x.old.imported_at === 'string') x.old.imported_at = local(x.old.imported_at);
      return { ...r, at: local(r.at), detail };
    });
  }

  private audit(at: string, action: string, detail: unknown): void {
    this.db
      .prepare('INSERT INTO audit (at, action, detail) VALUES (?, ?, ?)')
      .run(at, action, JSON.stringify(detail));
  }

  close(): void {
    this.db.close();
  }
}
