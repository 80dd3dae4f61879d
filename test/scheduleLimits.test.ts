import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleLimits } from '../core/control/schema.ts';
import { exampleSchedule } from './helpers/apiExamples.ts';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';

/**
 * Issue 15 (second review): 8,000 exceptions all covering 2000…2100 on POST /schedules/validate ran
 * `jieneng start` out of memory (every pair was compared and reported). Such a body is refused by
 * its size with a problem naming the limit; a schedule at the limits validates; overlaps still show,
 * at most 50 of them and a count of the rest. Over the API as `jieneng start` composes it.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

type Answer = { valid: boolean; problems: { path: string; message: string }[] };
const validate = async (body: unknown) => {
  const r = await fetch(`${h.base}/api/v1/schedules/validate`, {
    method: 'POST',
    headers: { ...h.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Answer & { detail?: string } };
};
const century = { from: '2000-01-01', to: '2100-12-31', as: 'holiday' };
/** `n` single days from 2026-01-01 on, one exception each. */
const days = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    from: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
    as: 'holiday',
  }));
/** `n` entries, one a minute from 00:00. */
const entries = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    at: `${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
    value: i % 2,
  }));

describe('schedule size limits', () => {
  it('refuses 8,000 exceptions covering the same century, naming the limit', async () => {
    const exceptions = Array.from({ length: 8000 }, () => century);
    const r = await validate({ ...exampleSchedule, exceptions });
    expect(r.status).toBe(422);
    expect(r.body.valid).toBe(false);
    expect(r.body.problems).toEqual([
      {
        path: 'exceptions',
        message: `8000 exceptions; at most ${scheduleLimits.exceptions} exceptions in a schedule (a longer period is one exception with from and to)`,
      },
    ]);
    // POST /schedules refuses it the same way and creates nothing.
    const post = await fetch(`${h.base}/api/v1/schedules`, {
      method: 'POST',
      headers: { ...h.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ ...exampleSchedule, exceptions }),
    });
    expect(post.status).toBe(422);
    expect(JSON.stringify(await post.json())).toContain(`at most ${scheduleLimits.exceptions} exceptions`);
    const got = await fetch(`${h.base}/api/v1/schedules/${exampleSchedule.id}`, { headers: h.headers });
    expect(got.status).toBe(404);
  });

  it('refuses a day program of more than 96 entries, naming the limit', async () => {
    const r = await validate({ ...exampleSchedule, week: { workday: entries(97) } });
    expect(r.status).toBe(422);
    expect(r.body.problems).toEqual([
      {
        path: 'week.workday',
        message: `97 entries; at most ${scheduleLimits.programEntries} entries in a day program (one every 15 minutes)`,
      },
    ]);
  });

  it('validates a schedule at the limits', async () => {
    // The first day runs a program of its own, of 96 entries too.
    const exceptions = days(scheduleLimits.exceptions).map((e, i) =>
      i === 0 ? { from: e.from, program: entries(96) } : e,
    );
    const r = await validate({ ...exampleSchedule, week: { workday: entries(96) }, exceptions });
    expect(r.body).toEqual({ valid: true, problems: [] });
    expect(r.status).toBe(200);
  });

  it('names overlaps once each, at most 50 and a count of the rest', async () => {
    const few = await validate({
      ...exampleSchedule,
      exceptions: [
        { from: '2026-10-01', to: '2026-10-07', as: 'holiday' },
        { from: '2026-12-24', as: 'holiday' },
        { from: '2026-10-05', as: 'workday' },
      ],
    });
    expect(few.body.problems).toEqual([
      {
        path: 'exceptions[2]',
        message: '2026-10-05…2026-10-05 overlaps exceptions[0] 2026-10-01…2026-10-07; one exception per day',
      },
    ]);
    const many = await validate({
      ...exampleSchedule,
      exceptions: Array.from({ length: scheduleLimits.exceptions }, () => century),
    });
    expect(many.status).toBe(422);
    expect(many.body.problems).toHaveLength(51);
    expect(many.body.problems[0]?.message).toContain('overlaps exceptions[0]');
    expect(many.body.problems.at(-1)).toEqual({
      path: '(more)',
      message: `and ${scheduleLimits.exceptions - 1 - 50} more problem(s); fix these and validate again`,
    });
  });
});
