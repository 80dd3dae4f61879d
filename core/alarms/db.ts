import Database from 'better-sqlite3';
import { localTimestamp } from '../localTime.ts';
import type {
  Alarm,
  AlarmEvent,
  AlarmRule,
  AlarmSeverity,
  AlarmState,
  AlarmTransition,
  Condition,
} from './model.ts';
import { severityZh } from './model.ts';

/**
 * The alarms of a site in `<data-dir>/alarms.db` (SQLite, WAL): shared by the alarm service, which
 * raises and clears them from conditions, and the API, which acknowledges, shelves and closes
 * them. Every change is a transition with a sequence number, audited: the alarm service reads the
 * transitions it did not make (`since`) to publish and notify them.
 *
 * Lifecycle (core/alarms/model.ts): an alarm is open from its raise until it is closed; it is
 * closed when it is both cleared and acknowledged — at once when a person acknowledges a cleared
 * alarm, or once it has stayed cleared for the hold-off after being acknowledged (closeSettled). One
 * open alarm per rule and key: a condition raised again while its alarm is open — active, or
 * cleared less than `holdOffMs` ago — is that alarm again (count + 1), not a new one.
 */

const migrations = [
  `CREATE TABLE alarms (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     rule TEXT NOT NULL, key TEXT NOT NULL, severity TEXT NOT NULL,
     state TEXT NOT NULL, acknowledged INTEGER NOT NULL DEFAULT 0,
     message TEXT NOT NULL, message_zh TEXT NOT NULL,
     building TEXT, device TEXT, point TEXT, gateway TEXT, value REAL, cause TEXT,
     raised_at INTEGER NOT NULL, last_raised_at INTEGER NOT NULL, cleared_at INTEGER,
     acknowledged_at INTEGER, acknowledged_by TEXT, ack_note TEXT,
     closed_at INTEGER, closed_by TEXT,
     shelved_until INTEGER, shelved_by TEXT, shelve_reason TEXT,
     count INTEGER NOT NULL DEFAULT 1,
     affected INTEGER NOT NULL DEFAULT 0, affected_keys TEXT NOT NULL DEFAULT '[]');
   CREATE INDEX alarms_open ON alarms (rule, key, closed_at);
   CREATE INDEX alarms_raised ON alarms (raised_at);
   CREATE TABLE transitions (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, alarm_id INTEGER NOT NULL REFERENCES alarms(id),
     at INTEGER NOT NULL, action TEXT NOT NULL, by TEXT NOT NULL, note TEXT);
   CREATE INDEX transitions_alarm ON transitions (alarm_id, seq);
   CREATE TABLE notifications (
     id INTEGER PRIMARY KEY AUTOINCREMENT, alarm_id INTEGER, channel TEXT NOT NULL, route TEXT,
     kind TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL, sent_at INTEGER, next_at INTEGER, error TEXT, body TEXT);
   CREATE INDEX notifications_due ON notifications (status, next_at);`,
  // alarms/notify: an alarm's deliveries (GET /alarms/:id, escalation once per level) and the
  // last hour's (the rate limit at start) without scanning the whole log.
  `CREATE INDEX notifications_alarm ON notifications (alarm_id, kind, route);
   CREATE INDEX notifications_created ON notifications (created_at);`,
];

interface Row {
  id: number;
  rule: string;
  key: string;
  severity: string;
  state: string;
  acknowledged: number;
  message: string;
  message_zh: string;
  building: string | null;
  device: string | null;
  point: string | null;
  gateway: string | null;
  value: number | null;
  cause: string | null;
  raised_at: number;
  last_raised_at: number;
  cleared_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  ack_note: string | null;
  closed_at: number | null;
  closed_by: string | null;
  shelved_until: number | null;
  shelved_by: string | null;
  shelve_reason: string | null;
  count: number;
  affected: number;
  affected_keys: string;
}

/** What the list of alarms is filtered by (GET /alarms). */
export interface AlarmFilter {
  /** open: not closed (the default); closed; all. */
  status?: 'open' | 'closed' | 'all';
  list?: Alarm['list'];
  rule?: string;
  severity?: AlarmSeverity;
  building?: string;
  device?: string;
  /** Raised at or after (ms). */
  from?: number;
  /** Raised before (ms). */
  to?: number;
  /** Include shelved alarms (default: yes; they say so). */
  shelved?: boolean;
  limit?: number;
  /** Only alarms with an id below this (paging, newest first). */
  before?: number;
}

/** Why an operator's change was refused, for a 4xx with this reason. */
export class AlarmActionError extends Error {
  constructor(
    readonly code: 'not_found' | 'closed' | 'not_cleared' | 'not_shelved' | 'bad_expiry',
    message: string,
    readonly zh: string,
  ) {
    super(message);
  }
}

/**
 * The notes of the trail's transitions, as the console's drawer shows them (zh-CN first): the
 * Chinese, then the English in parentheses, like every other message of the alarms.
 */
export const trailNotes = {
  severity: (s: AlarmSeverity) => `级别变为${severityZh[s]}（severity ${s}）`,
  reRaised: (n: number) => `第 ${n} 次发生（raised again ${n} times）`,
  superseded: '超过防抖时间后再次发生，旧报警关闭（superseded: raised again after the hold-off）',
  acknowledgedCleared: '恢复后确认，报警关闭（acknowledged after it cleared）',
  shelved: (until: string, reason: string) => `搁置至 ${until}（until ${until}）：${reason}`,
  unshelved: '取消搁置（unshelved）',
  closed: '已关闭（closed）',
  settled: '已恢复并确认，防抖时间已过（cleared and acknowledged; the hold-off passed）',
  shelvingExpired: '搁置到期（shelving expired）',
} as const;

/** The rule:key a cause is written as (Condition.cause). */
export const causeKey = (rule: string, key: string) => `${rule}:${key}`;

/** Affected subjects kept by name (each counted once); the API shows the first `AFFECTED_SHOWN`. */
const AFFECTED_KEPT = 20_000;
const AFFECTED_SHOWN = 50;

export class AlarmDb {
  private readonly db: Database.Database;

  constructor(
    file: string,
    private readonly timeZone: string,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    // The alarm service and the API open the file at once: the version is read under the write
    // lock (IMMEDIATE), so the second waits for the first's migration instead of repeating it.
    this.db
      .transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        for (let v = version; v < migrations.length; v++) {
          this.db.exec(migrations[v] ?? '');
          this.db.pragma(`user_version = ${v + 1}`);
        }
      })
      .immediate();
  }

  close(): void {
    this.db.close();
  }

  /** Prepared statements by their SQL, prepared once: a tick that raises thousands reuses them. */
  private readonly statements = new Map<string, Database.Statement>();

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * Runs `fn` in one transaction (the alarm service's tick and a snapshot): 20 000 raises are
   * one commit instead of 20 000 (5.5 s → see bench/alarms.ts). The transactions of the methods
   * it calls nest as savepoints; an error rolls the whole batch back and is thrown.
   */
  batch<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private iso(ms: number | null): string | null {
    return ms === null ? null : localTimestamp(ms, this.timeZone);
  }

  private toAlarm(r: Row): Alarm {
    const state = r.state as AlarmState;
    return {
      id: r.id,
      rule: r.rule as AlarmRule,
      key: r.key,
      severity: r.severity as AlarmSeverity,
      state,
      acknowledged: r.acknowledged === 1,
      message: r.message,
      message_zh: r.message_zh,
      building: r.building,
      device: r.device,
      point: r.point,
      gateway: r.gateway,
      value: r.value,
      raised_at: this.iso(r.raised_at) as string,
      last_raised_at: this.iso(r.last_raised_at) as string,
      cleared_at: this.iso(r.cleared_at),
      acknowledged_at: this.iso(r.acknowledged_at),
      acknowledged_by: r.acknowledged_by,
      ack_note: r.ack_note,
      closed_at: this.iso(r.closed_at),
      closed_by: r.closed_by,
      shelved_until: this.iso(r.shelved_until),
      shelved_by: r.shelved_by,
      shelve_reason: r.shelve_reason,
      count: r.count,
      affected: r.affected,
      affected_keys: (JSON.parse(r.affected_keys) as string[]).slice(0, AFFECTED_SHOWN),
      list: state === 'closed' ? 'done' : r.acknowledged === 1 ? 'in_progress' : 'pending',
    };
  }

  private row(id: number): Row | undefined {
    return this.stmt('SELECT * FROM alarms WHERE id = ?').get(id) as Row | undefined;
  }

  /** The open alarm of `rule` and `key`, if any. */
  private open(rule: string, key: string): Row | undefined {
    return this.stmt(
      'SELECT * FROM alarms WHERE rule = ? AND key = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1',
    ).get(rule, key) as Row | undefined;
  }

  private transition(
    alarmId: number,
    at: number,
    action: AlarmTransition['action'],
    by: string,
    note: string | null,
  ) {
    const r = this.stmt(
      'INSERT INTO transitions (alarm_id, at, action, by, note) VALUES (?, ?, ?, ?, ?)',
    ).run(alarmId, at, action, by, note);
    return Number(r.lastInsertRowid);
  }

  private event(seq: number): AlarmEvent {
    const t = this.stmt('SELECT * FROM transitions WHERE seq = ?').get(seq) as Omit<AlarmTransition, 'at'> & {
      at: number;
    };
    return {
      transition: { ...t, at: this.iso(t.at) as string },
      alarm: this.toAlarm(this.row(t.alarm_id) as Row),
    };
  }

  get(id: number): Alarm | undefined {
    const r = this.row(id);
    return r && this.toAlarm(r);
  }

  /** The open alarm of a rule and subject (the cause of flood control), if any. */
  openAlarm(rule: string, key: string): Alarm | undefined {
    const r = this.open(rule, key);
    return r && this.toAlarm(r);
  }

  /**
   * Applies a detector's condition at `now` (ms): raises, raises again, updates or clears the alarm
   * of its rule and key. `severity` is the rule's (the condition's own wins). Returns the
   * transitions made (none when nothing changed).
   */
  observe(
    c: Condition,
    options: { now: number; severity: AlarmSeverity; holdOffMs: number; by?: string },
  ): AlarmEvent[] {
    const by = options.by ?? 'alarm-service';
    return this.db.transaction(() => {
      const now = options.now;
      const open = this.open(c.rule, c.key);
      const events: number[] = [];
      if (!c.active) {
        if (open && open.state === 'active') {
          this.stmt(
            `UPDATE alarms SET state = 'cleared', cleared_at = ?, value = coalesce(?, value) WHERE id = ?`,
          ).run(now, c.value ?? null, open.id);
          // Acknowledged or not, it stays open through the hold-off (closeSettled closes an acknowledged
          // one after it): back within it, it is the same alarm, not a new one.
          events.push(this.transition(open.id, now, 'clear', by, c.message_zh || c.message));
        }
        return events.map((s) => this.event(s));
      }
      const severity = c.severity ?? options.severity;
      const fields = [
        severity,
        c.message,
        c.message_zh,
        c.building ?? null,
        c.device ?? null,
        c.point ?? null,
        c.gateway ?? null,
        c.value ?? null,
        c.cause ?? null,
      ];
      if (open && open.state === 'active') {
        // Still active: a new figure or message is an update, not a transition anyone is told of.
        if (open.message !== c.message || open.severity !== severity || open.value !== (c.value ?? null)) {
          this.stmt(
            `UPDATE alarms SET severity = ?, message = ?, message_zh = ?, building = ?, device = ?, point = ?,
                 gateway = ?, value = ?, cause = ? WHERE id = ?`,
          ).run(...fields, open.id);
          if (open.severity !== severity)
            events.push(this.transition(open.id, now, 'update', by, trailNotes.severity(severity)));
        }
        return events.map((s) => this.event(s));
      }
      if (
        open &&
        open.state === 'cleared' &&
        open.cleared_at !== null &&
        now - open.cleared_at < options.holdOffMs
      ) {
        // Back within the hold-off: the same alarm, raised again (a flap), and to be acknowledged again.
        this.stmt(
          `UPDATE alarms SET state = 'active', cleared_at = NULL, last_raised_at = ?, count = count + 1, acknowledged = 0,
               severity = ?, message = ?, message_zh = ?, building = ?, device = ?, point = ?, gateway = ?, value = ?, cause = ?
             WHERE id = ?`,
        ).run(now, ...fields, open.id);
        events.push(this.transition(open.id, now, 're_raise', by, trailNotes.reRaised(open.count + 1)));
        return events.map((s) => this.event(s));
      }
      if (open) {
        // Cleared longer ago than the hold-off and never acknowledged: it stays for someone to see; a new one starts.
        events.push(...this.closeRow(open.id, now, 'alarm-service', trailNotes.superseded));
      }
      const r = this.stmt(
        `INSERT INTO alarms (severity, message, message_zh, building, device, point, gateway, value, cause,
             rule, key, state, raised_at, last_raised_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
      ).run(...fields, c.rule, c.key, now, now);
      events.push(this.transition(Number(r.lastInsertRowid), now, 'raise', by, null));
      return events.map((s) => this.event(s));
    })();
  }

  /**
   * Flood control: `subject` (a rule:key) is explained by the open alarm `cause`; counted in its
   * `affected`, not raised itself. Returns the transition when the count changed.
   */
  affect(cause: { rule: string; key: string }, subject: string, now: number): AlarmEvent | undefined {
    return this.db.transaction(() => {
      const open = this.open(cause.rule, cause.key);
      if (!open) return undefined;
      const names = JSON.parse(open.affected_keys) as string[];
      if (names.includes(subject)) return undefined;
      const kept = names.length < AFFECTED_KEPT ? [...names, subject] : names;
      this.stmt('UPDATE alarms SET affected = affected + 1, affected_keys = ? WHERE id = ?').run(
        JSON.stringify(kept),
        open.id,
      );
      return this.event(this.transition(open.id, now, 'affect', 'alarm-service', subject));
    })();
  }

  private closeRow(id: number, now: number, by: string, note: string): number[] {
    // A closed alarm is no longer shelved: the shelving ends with it (its trail keeps it).
    this.stmt(
      `UPDATE alarms SET state = 'closed', closed_at = ?, closed_by = ?, shelved_until = NULL, shelved_by = NULL,
           shelve_reason = NULL WHERE id = ?`,
    ).run(now, by, id);
    return [this.transition(id, now, 'close', by, note)];
  }

  private actionable(id: number): Row {
    const r = this.row(id);
    if (!r) throw new AlarmActionError('not_found', `no alarm ${id}`, `没有编号为 ${id} 的报警`);
    if (r.closed_at !== null)
      throw new AlarmActionError(
        'closed',
        `alarm ${id} is closed (${this.iso(r.closed_at)})`,
        `报警 ${id} 已于 ${this.iso(r.closed_at)} 关闭`,
      );
    return r;
  }

  /** Acknowledged by `by` with a note; a cleared alarm acknowledged is closed. */
  acknowledge(id: number, by: string, note: string | undefined, now: number): AlarmEvent[] {
    return this.db.transaction(() => {
      const r = this.actionable(id);
      if (r.acknowledged === 1) return [];
      this.stmt(
        'UPDATE alarms SET acknowledged = 1, acknowledged_at = ?, acknowledged_by = ?, ack_note = ? WHERE id = ?',
      ).run(now, by, note ?? null, id);
      const seqs = [this.transition(id, now, 'acknowledge', by, note ?? null)];
      if (r.state === 'cleared') seqs.push(...this.closeRow(id, now, by, trailNotes.acknowledgedCleared));
      return seqs.map((s) => this.event(s));
    })();
  }

  /** Shelved until `until` (ms) with a reason: no notification meanwhile; it shows as shelved. */
  shelve(id: number, by: string, until: number, reason: string, now: number): AlarmEvent[] {
    return this.db.transaction(() => {
      this.actionable(id);
      if (until <= now)
        throw new AlarmActionError(
          'bad_expiry',
          'the shelving’s end is not in the future',
          '搁置截止时间须晚于现在',
        );
      this.stmt('UPDATE alarms SET shelved_until = ?, shelved_by = ?, shelve_reason = ? WHERE id = ?').run(
        until,
        by,
        reason,
        id,
      );
      return [
        this.event(
          this.transition(id, now, 'shelve', by, trailNotes.shelved(this.iso(until) as string, reason)),
        ),
      ];
    })();
  }

  /** Back from the shelf, by a person or (by 'alarm-service') at its expiry. */
  unshelve(id: number, by: string, now: number, note: string = trailNotes.unshelved): AlarmEvent[] {
    return this.db.transaction(() => {
      const r = this.actionable(id);
      if (r.shelved_until === null)
        throw new AlarmActionError('not_shelved', `alarm ${id} is not shelved`, `报警 ${id} 未被搁置`);
      this.stmt(
        'UPDATE alarms SET shelved_until = NULL, shelved_by = NULL, shelve_reason = NULL WHERE id = ?',
      ).run(id);
      return [this.event(this.transition(id, now, 'unshelve', by, note))];
    })();
  }

  /** Closed by a person: only a cleared alarm (an active one is closed by acknowledging it once it clears). */
  closeAlarm(id: number, by: string, note: string | undefined, now: number): AlarmEvent[] {
    return this.db.transaction(() => {
      const r = this.actionable(id);
      if (r.state === 'active')
        throw new AlarmActionError(
          'not_cleared',
          `alarm ${id} is still active: it closes once its condition clears (acknowledge it meanwhile)`,
          `报警 ${id} 仍在持续：条件恢复后才能关闭（可先确认）`,
        );
      const seqs: number[] = [];
      if (r.acknowledged === 0) {
        this.stmt(
          'UPDATE alarms SET acknowledged = 1, acknowledged_at = ?, acknowledged_by = ?, ack_note = ? WHERE id = ?',
        ).run(now, by, note ?? null, id);
        seqs.push(this.transition(id, now, 'acknowledge', by, note ?? null));
      }
      seqs.push(...this.closeRow(id, now, by, note ?? trailNotes.closed));
      return seqs.map((s) => this.event(s));
    })();
  }

  /**
   * Closes the alarms that are cleared and acknowledged and have stayed cleared for `holdOffMs`
   * (the alarm service calls it on its tick): until then a return is the same alarm.
   */
  closeSettled(now: number, holdOffMs: number): AlarmEvent[] {
    return this.db.transaction(() => {
      const due = this.stmt(
        `SELECT id FROM alarms WHERE closed_at IS NULL AND state = 'cleared' AND acknowledged = 1 AND cleared_at <= ?`,
      ).all(now - holdOffMs) as { id: number }[];
      return due
        .flatMap((d) => this.closeRow(d.id, now, 'alarm-service', trailNotes.settled))
        .map((s) => this.event(s));
    })();
  }

  /** Shelvings that have ended by `now`, ended (audited as the alarm service's). */
  expireShelving(now: number): AlarmEvent[] {
    const due = this.stmt(
      'SELECT id FROM alarms WHERE shelved_until IS NOT NULL AND shelved_until <= ? AND closed_at IS NULL',
    ).all(now) as { id: number }[];
    return due.flatMap((d) => this.unshelve(d.id, 'alarm-service', now, trailNotes.shelvingExpired));
  }

  list(filter: AlarmFilter = {}): Alarm[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const status = filter.status ?? 'open';
    if (status === 'open') where.push('closed_at IS NULL');
    if (status === 'closed') where.push('closed_at IS NOT NULL');
    if (filter.list === 'pending') where.push('closed_at IS NULL AND acknowledged = 0');
    if (filter.list === 'in_progress') where.push('closed_at IS NULL AND acknowledged = 1');
    if (filter.list === 'done') where.push('closed_at IS NOT NULL');
    for (const [col, v] of [
      ['rule', filter.rule],
      ['severity', filter.severity],
      ['building', filter.building],
      ['device', filter.device],
    ] as const)
      if (v !== undefined) where.push(`${col} = ?`) && args.push(v);
    if (filter.from !== undefined) where.push('last_raised_at >= ?') && args.push(filter.from);
    if (filter.to !== undefined) where.push('raised_at < ?') && args.push(filter.to);
    if (filter.shelved === false) where.push('shelved_until IS NULL');
    if (filter.before !== undefined) where.push('id < ?') && args.push(filter.before);
    const sql = `SELECT * FROM alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY id DESC LIMIT ?`;
    return (this.stmt(sql).all(...args, Math.min(filter.limit ?? 200, 1000)) as Row[]).map((r) =>
      this.toAlarm(r),
    );
  }

  /** How many open alarms each list and severity has (the console's badge). */
  counts(): {
    pending: number;
    in_progress: number;
    shelved: number;
    done: number;
    by_severity: Record<string, number>;
  } {
    const rows = this.stmt(
      `SELECT acknowledged, severity, shelved_until IS NOT NULL AS shelved, count(*) AS n FROM alarms
         WHERE closed_at IS NULL GROUP BY acknowledged, severity, shelved`,
    ).all() as { acknowledged: number; severity: string; shelved: number; n: number }[];
    const done = (
      this.stmt('SELECT count(*) AS n FROM alarms WHERE closed_at IS NOT NULL').get() as { n: number }
    ).n;
    const out = { pending: 0, in_progress: 0, shelved: 0, done, by_severity: {} as Record<string, number> };
    for (const r of rows) {
      if (r.shelved) out.shelved += r.n;
      else if (r.acknowledged) out.in_progress += r.n;
      else out.pending += r.n;
      out.by_severity[r.severity] = (out.by_severity[r.severity] ?? 0) + r.n;
    }
    return out;
  }

  /** An alarm's transitions, oldest first (its audit trail). */
  transitions(alarmId: number): AlarmTransition[] {
    return (
      this.stmt('SELECT * FROM transitions WHERE alarm_id = ? ORDER BY seq').all(alarmId) as (Omit<
        AlarmTransition,
        'at'
      > & { at: number })[]
    ).map((t) => ({ ...t, at: this.iso(t.at) as string }));
  }

  /** Every transition after `seq`, oldest first, with its alarm as it is now (at most `limit`). */
  since(seq: number, limit = 1000): AlarmEvent[] {
    const seqs = this.stmt('SELECT seq FROM transitions WHERE seq > ? ORDER BY seq LIMIT ?').all(
      seq,
      limit,
    ) as {
      seq: number;
    }[];
    return seqs.map((s) => this.event(s.seq));
  }

  /** The newest transition's sequence number (0 when none). */
  lastSeq(): number {
    return (this.stmt('SELECT coalesce(max(seq), 0) AS s FROM transitions').get() as { s: number }).s;
  }

  /** The raw handle for the notification log of the alarm service (alarms/notify). */
  get handle(): Database.Database {
    return this.db;
  }
}
