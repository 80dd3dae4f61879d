import { z } from 'zod';
import { dateProblem, FIRST_DATE, LAST_DATE, quote } from '../core/dates.ts';
import { JnError } from '../core/errors.ts';
import type { Detail } from './problem.ts';

export { dateProblem, FIRST_DATE, LAST_DATE, quote };

import { localMidnight } from '../core/rollup/consumption.ts';

/**
 * Query parameters of the API. Every route parses its query with one zod object through
 * `parseQuery`, so every refusal reads the same way: `<name>: <what is wrong>; allowed: <what is>`,
 * one sentence per parameter, as a 400 problem.
 *
 * Dates a person types are local dates in the site's time zone and must exist (2025-02-30 is
 * refused, not rolled over to March). They lie from 2000 to 2100: wide for any institution's
 * records, narrow enough that no request makes a route walk centuries (documented in api/README.md).
 */
const DAY = 86_400_000;

const instantPattern =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** What is wrong with a value a person typed, in English and in Chinese. */
type Problem = { en: string; zh: string } | undefined;

/** `dateProblem` in both languages: its decision, worded in Chinese here (for a date in a path too). */
export function dateProblems(text: string): Problem {
  const en = dateProblem(text);
  if (!en) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [year, month] = [Number(m?.[1]), Number(m?.[2])];
  const zh = !m
    ? `${quote(text)} 不是日期`
    : month < 1 || month > 12
      ? `${quote(text)} 不是日历上的日期（没有 ${month} 月）`
      : en.includes(' has ')
        ? `${quote(text)} 不是日历上的日期（${year} 年 ${month} 月只有 ${new Date(Date.UTC(year, month, 0)).getUTCDate()} 天）`
        : `${quote(text)} 不在 ${FIRST_DATE} … ${LAST_DATE} 之内`;
  return { en, zh };
}

/** Why `text` is not a usable ISO-8601 instant with offset, or undefined when it is one. */
function instantProblem(text: string): Problem {
  const m = instantPattern.exec(text);
  if (!m) return { en: `${quote(text)} is not a date`, zh: `${quote(text)} 不是日期` };
  const date = dateProblems(m[1] ?? '');
  if (date) return date;
  const [hour, minute, second] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59)
    return { en: `${quote(text)} is not a time of day`, zh: `${quote(text)} 不是一天中的时刻` };
  if (m[5] !== 'Z' && (Number(m[7]) > 14 || Number(m[8]) > 59))
    return { en: `${quote(text)} has no such UTC offset`, zh: `${quote(text)} 的 UTC 偏移不存在` };
  return undefined;
}

/**
 * A zod string checked by `problem`, which says what is wrong with a value; the Chinese travels in
 * the issue's params (zod keeps one message), for `parseQuery`'s zh text.
 */
const checked = (problem: (text: string) => Problem) =>
  z.string().superRefine((text, ctx) => {
    const p = problem(text);
    if (p) ctx.addIssue({ code: 'custom', message: p.en, params: { zh: p.zh } });
  });

/** The allowed-text of a local date in `timeZone`. */
const dateText = (timeZone: string) =>
  `a local date YYYY-MM-DD (${timeZone}) from ${FIRST_DATE} to ${LAST_DATE}`;

/** A local date YYYY-MM-DD in the site's zone that exists and lies within the API's years. */
export const localDate = (timeZone: string) => checked(dateProblems).describe(dateText(timeZone));

/** A local date (midnight in the site's zone) or an ISO-8601 instant with offset, in the API's years. */
export const dateOrInstant = (timeZone: string) =>
  checked((t) => (t.length > 10 ? instantProblem(t) : dateProblems(t))).describe(
    `${dateText(timeZone)}, or an ISO-8601 instant with offset in those years`,
  );

/** A whole number in [min, max], written in decimal digits (no "1e3", "0x10" or blanks). */
export const wholeNumber = (min: number, max: number) =>
  checked((t) =>
    /^-?\d{1,16}$/.test(t) && Number(t) >= min && Number(t) <= max
      ? undefined
      : { en: `${quote(t)} is not allowed`, zh: `${quote(t)} 不允许` },
  )
    .transform(Number)
    .describe(`a whole number from ${min} to ${max}`);

/** A free text (a device id, a source) of at most `max` characters. */
export const text = (max: number) =>
  checked((t) =>
    t.length <= max
      ? undefined
      : { en: `${t.length} characters are too many`, zh: `${t.length} 个字符，太长` },
  ).describe(`a text of at most ${max} characters`);

/** Epoch ms of a `dateOrInstant` value: a local date is its midnight in `timeZone`. */
export function instantOf(text: string, timeZone: string): number {
  return text.length > 10 ? Date.parse(text) : localMidnight(text, timeZone);
}

/** Epoch ms of the end of a range given as `to`: a local date is inclusive (the range ends at its next midnight). */
export function endOf(text: string, timeZone: string): number {
  return text.length > 10 ? Date.parse(text) : localMidnight(nextDay(text), timeZone);
}

/** The local date after `date` (YYYY-MM-DD). */
export function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
}

/** Days from local date `from` to local date `to` (0 when equal). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

type Shape = Record<string, z.ZodType>;

/** The `.describe()` text of a parameter's schema, looked up through optional, default and pipe. */
function allowedOf(schema: z.ZodType | undefined): string {
  for (let s = schema; s; ) {
    if (s.description) return s.description;
    const def = (s as { def?: { innerType?: z.ZodType; in?: z.ZodType } }).def;
    s = def?.innerType ?? def?.in;
  }
  return 'see api/README.md';
}

/** zod's own Chinese messages (zod 4 ships them), for the zh text of a refusal. */
const zhErrors = z.locales.zhCN().localeError;

/**
 * The zod issues of a failed parse in Chinese: `schema` parsed again with zod's zh-CN error map
 * (only on failure, so a good request pays nothing). Messages a schema wrote itself stay as written.
 */
function zhIssues(schema: z.ZodType, input: unknown): z.core.$ZodIssue[] {
  const again = schema.safeParse(input, { error: zhErrors });
  return again.success ? [] : again.error.issues;
}

/** One sentence per zod issue: `path: message`, unknown fields by name; `zh` in Chinese punctuation. */
function issueText(list: z.core.$ZodIssue[], lang: 'zh' | 'en'): string {
  return list
    .map((i) =>
      i.code === 'unrecognized_keys'
        ? lang === 'zh'
          ? `未知字段 ${i.keys.join('、')}`
          : `unknown field(s) ${i.keys.join(', ')}`
        : `${i.path.join('.') || (lang === 'zh' ? '（请求体）' : '(body)')}${lang === 'zh' ? '：' : ': '}${i.message}`,
    )
    .join(lang === 'zh' ? '；' : '; ');
}

/**
 * The detail of a body refused by `schema` (the `error` of `schema.safeParse(input)`), in English
 * and in Chinese: each field with what is wrong, unknown fields by name.
 */
export function bodyDetail(schema: z.ZodType, input: unknown, error: z.ZodError): { zh: string; en: string } {
  const en = issueText(error.issues, 'en');
  const zh = zhIssues(schema, input);
  return { en, zh: zh.length > 0 ? issueText(zh, 'zh') : en };
}

/** A 400 `bad_request` JnError with both texts of `detail`. */
export function badRequest(detail: Detail): JnError {
  return typeof detail === 'string'
    ? new JnError('bad_request', detail)
    : new JnError('bad_request', detail.en, { zh: detail.zh });
}

/** What is wrong with one parameter, in both languages. */
function parameterProblem(issue: z.core.$ZodIssue, value: unknown): { zh: string; en: string } {
  if (value === undefined) return { en: 'missing', zh: '缺少' };
  if (Array.isArray(value)) return { en: `given ${value.length} times`, zh: `给了 ${value.length} 次` };
  if (issue.code === 'custom') {
    const zh = (issue.params as { zh?: unknown } | undefined)?.zh;
    return { en: issue.message, zh: typeof zh === 'string' ? zh : issue.message };
  }
  return { en: `${quote(String(value))} is not allowed`, zh: `${quote(String(value))} 不允许` };
}

/**
 * Parses `query` (Express's parsed query: strings, arrays of repeated names) with a strict zod
 * object of `shape`; on any problem, a `bad_request` JnError naming each parameter and what it
 * allows (the text of its `.describe()`), unknown names last with the names that are allowed.
 * The error carries the same in Chinese (`zh`).
 */
export function parseQuery<S extends Shape>(query: unknown, shape: S): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).strict().safeParse(query);
  if (parsed.success) return parsed.data;
  const given = (query ?? {}) as Record<string, unknown>;
  const names = Object.keys(shape);
  const en: string[] = [];
  const zh: string[] = [];
  const unknown: string[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      unknown.push(...issue.keys);
      continue;
    }
    const name = String(issue.path[0] ?? '');
    if (en.some((s) => s.startsWith(`${name}: `))) continue; // one sentence per parameter
    const allowed = allowedOf(shape[name]);
    const value = given[name];
    const what = parameterProblem(issue, value);
    en.push(`${name}: ${what.en}; allowed: ${Array.isArray(value) ? `once, ${allowed}` : allowed}`);
    zh.push(`${name}：${what.zh}；允许：${Array.isArray(value) ? `一次，${allowed}` : allowed}`);
  }
  if (unknown.length > 0) {
    en.push(
      `unknown parameter(s) ${unknown.map(quote).join(', ')}; ${
        names.length === 0 ? 'this route takes no parameters' : `allowed: ${names.join(', ')}`
      }`,
    );
    zh.push(
      `未知参数 ${unknown.map(quote).join('、')}；${
        names.length === 0 ? '此接口不接受参数' : `允许的参数：${names.join(', ')}`
      }`,
    );
  }
  throw badRequest({ en: en.join('. '), zh: `${zh.join('。')}。` });
}

/** The query of a route that takes no parameters: anything given is refused by name. */
export function noQuery(query: unknown): void {
  parseQuery(query, {});
}
