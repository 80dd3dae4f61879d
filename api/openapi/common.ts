import { z } from 'zod';
import 'zod-openapi';
import { errorCatalog, errorCodes } from '../../core/errors.ts';

/**
 * What the OpenAPI document says of one route: the same zod schemas the route validates with
 * (query, path params, body) and zod schemas of its answers. One entry per method and path;
 * `path` is written as Express writes it (`/api/v1/points/:device/:point`), so the contract
 * test compares it with the router's own list without translating.
 */
export interface RouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  operationId: string;
  /** What it does, in Chinese (the console's language) and English. */
  summary: { zh: string; en: string };
  /** The group in the docs page: points, schedules, calendar, readings, reports, ledger, system, auth. */
  tag: string;
  /** The query's zod shape (what `parseQuery` gets) or object. */
  query?: z.ZodObject | Record<string, z.ZodType>;
  /** Path parameters; default: a string for each `:name` in the path. */
  params?: z.ZodObject;
  /** The JSON body the route validates with. */
  body?: z.ZodType;
  /**
   * Answers by status: a zod schema of the JSON body, or null for an answer without a JSON body;
   * `files`: other content types the same status answers with (a file of the same data, by a query).
   */
  responses: Record<
    number,
    { description: string; schema?: z.ZodType | null; contentType?: string; files?: string[] }
  >;
  /** Statuses answered with a problem+json body (the problem schema). */
  errors: number[];
  /** No credentials needed (health, the document itself, login). */
  public?: boolean;
}

/** An instant as the API writes it: ISO-8601 with an offset (the site's, e.g. +08:00, or Z). */
export const instant = z.iso.datetime({ offset: true }).describe('ISO-8601 instant with offset');

/** A local date YYYY-MM-DD in the site's time zone. */
export const localDay = z.iso.date().describe('Local date YYYY-MM-DD');

/** The value in effect on a point: value, priority level and who set it (null: nothing in force). */
export const effectiveSchema = z
  .object({
    value: z.number().nullable(),
    level: z.number().int().min(1).max(16).nullable().describe('Priority 1–16 in force, null for none'),
    source: z.string().nullable().describe('Who set it: user:<name>, schedule:<id>, strategy:<id>'),
  })
  .meta({ id: 'Effective' });

/**
 * An RFC 9457 problem: `type` urn:jieneng:problem:<code>, `title` of the code in the caller's
 * language (zh-CN by default, English by Accept-Language), `detail` naming what is wrong and what
 * is allowed, and the code; some codes add fields (problems, effective, rule).
 */
export const problemSchema = z
  .looseObject({
    type: z.string().regex(/^urn:jieneng:problem:[a-z_]+$/),
    title: z.string().describe('The title of the code, in the language of Content-Language'),
    status: z.number().int().min(400).max(599),
    detail: z.string().describe('What is wrong, with which entity, and what is allowed'),
    code: z.enum(errorCodes).describe(codeTable()),
  })
  .meta({ id: 'Problem' });

/** The codes as a table for the docs: `code` status zh / en. */
function codeTable(): string {
  return [
    'Stable error code:',
    ...errorCodes.map(
      (c) => `- \`${c}\` ${errorCatalog[c].status} ${errorCatalog[c].zh} / ${errorCatalog[c].en}`,
    ),
  ].join('\n');
}

/** Problem+json statuses every route may answer besides its own: a bad query, no or wrong credentials. */
export const commonErrors = [400, 401, 403];

/** A mutating route's extra errors: the body refused as not JSON, too large, or of another type. */
export const bodyErrors = [400, 413, 415];

/** Paths parameters of an Express path: `:device` → a required string each. */
export function pathParams(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/[:*]([A-Za-z_]+)/g)].map((m) => m[1] ?? '');
  if (names.length === 0) return undefined;
  return z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1)])));
}

/** `/api/v1/points/:device/:point` → `/api/v1/points/{device}/{point}` (OpenAPI's path template). */
export function openApiPath(path: string): string {
  return path.replaceAll(/[:*]([A-Za-z_]+)/g, '{$1}');
}
