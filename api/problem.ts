import { isUtf8 } from 'node:buffer';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { type ErrorCode, errorCatalog, JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/** The languages the API answers in; zh-CN first (the default without Accept-Language). */
export type Language = 'zh' | 'en';

/** A detail in one language (kept as written for both), or in both. */
export type Detail = string | { zh: string; en: string };

/** The largest JSON body any route takes (one schedule, a year of ledger entries). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The deepest nesting of arrays and objects a body may have: a schedule nests 5; recursion elsewhere must never see 10 000. */
export const BODY_MAX_DEPTH = 32;

/** The deepest nesting of `[`/`{` in JSON text (strings skipped), counted without recursion. */
export function nestingDepth(buf: Uint8Array): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * The language the caller prefers of those the API speaks, by Accept-Language q-values (negotiator,
 * through Express): `en-US,en;q=0.9` → en, `zh-CN,en;q=0.5` → zh, absent or `fr` → zh.
 */
export function languageOf(req: Request | undefined): Language {
  const best = req?.acceptsLanguages('zh', 'en');
  return best === 'en' ? 'en' : 'zh';
}

/** Content-Language of each answer language. */
const contentLanguage: Record<Language, string> = { zh: 'zh-CN', en: 'en' };

/**
 * Sends an RFC 9457 `application/problem+json` body: `{ type: urn:jieneng:problem:<code>, title,
 * status, detail, code, …extra }`. The title comes from the error catalog in the caller's language
 * (Accept-Language, Chinese by default); a detail given in both languages follows it too, a detail in
 * one language is sent as written. `Content-Language` says which language was chosen.
 */
export function sendProblem(
  res: Response,
  status: number,
  code: ErrorCode,
  detail: Detail,
  extra: Record<string, unknown> = {},
): void {
  const lang = languageOf(res.req);
  const info = errorCatalog[code];
  res
    .status(status)
    .type('application/problem+json')
    .set('Content-Language', contentLanguage[lang])
    .json({
      type: `urn:jieneng:problem:${code}`,
      title: info[lang],
      status,
      detail: typeof detail === 'string' ? detail : detail[lang],
      code,
      ...extra,
    });
}

/** Sends a JnError as a problem with its code's status (and its Chinese message when it has one). */
export function sendError(res: Response, err: JnError, extra: Record<string, unknown> = {}): void {
  const detail = err.zh === undefined ? err.message : { zh: err.zh, en: err.message };
  sendProblem(res, errorCatalog[err.code].status, err.code, detail, extra);
}

/** A size in bytes as a person reads a limit: 1048576 → "1 MB", 102400 → "100 KB". */
function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

/** What body-parser (express.json) throws: an HTTP error with a `type` naming what went wrong. */
interface BodyError {
  type?: unknown;
  status?: unknown;
  limit?: unknown;
  message?: unknown;
  charset?: unknown;
  encoding?: unknown;
}

/** The problem for an error of reading the body, or undefined when `err` is something else. */
function bodyProblem(err: BodyError): { status: number; code: ErrorCode; detail: Detail } | undefined {
  const message = String(err.message ?? '');
  switch (err.type) {
    case 'entity.parse.failed':
      return {
        status: 400,
        code: 'bad_request',
        detail: { zh: `请求体不是 JSON：${message}`, en: `the body is not JSON: ${message}` },
      };
    case 'body.not_utf8':
      return {
        status: 400,
        code: 'bad_request',
        detail: { zh: '请求体不是有效的 UTF-8', en: 'the body is not valid UTF-8' },
      };
    case 'body.too_deep':
      return {
        status: 400,
        code: 'bad_request',
        detail: {
          zh: `请求体嵌套超过 ${BODY_MAX_DEPTH} 层`,
          en: `the body nests arrays and objects deeper than ${BODY_MAX_DEPTH} levels`,
        },
      };
    case 'entity.verify.failed':
      return { status: 400, code: 'bad_request', detail: { zh: `请求体有误：${message}`, en: message } };
    case 'entity.too.large': {
      const limit = sizeText(typeof err.limit === 'number' ? err.limit : BODY_LIMIT_BYTES);
      return {
        status: 413,
        code: 'payload_too_large',
        detail: { zh: `请求体超过 ${limit}`, en: `the body is larger than ${limit}` },
      };
    }
    case 'charset.unsupported':
    case 'encoding.unsupported': {
      const what = String(err.charset ?? err.encoding ?? '');
      return {
        status: 415,
        code: 'unsupported_media_type',
        detail: {
          zh: `不支持的编码 "${what}"：请求体须为 UTF-8 JSON`,
          en: `"${what}" is not supported; the body must be UTF-8 JSON`,
        },
      };
    }
    case 'request.aborted':
    case 'request.size.invalid':
      return { status: 400, code: 'bad_request', detail: { zh: `请求体不完整：${message}`, en: message } };
    default:
      return undefined;
  }
}

/**
 * The API's error handler: a JnError answers with its code's status, a body-parser error with its
 * code (invalid JSON 400, too large 413, unsupported charset 415), another 4xx HTTP error as
 * bad_request, anything else 500 (logged, so a 500 is always a bug to fix).
 */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      // The answer is under way (a stream, a file): nothing can be sent; end it so the client sees it cut.
      res.end();
      return;
    }
    if (err instanceof JnError) return sendError(res, err);
    const body = bodyProblem(err ?? {});
    if (body) return sendProblem(res, body.status, body.code, body.detail);
    const status =
      typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500)
      log.error('request failed', { method: req.method, path: req.path, error: String(err?.message ?? err) });
    sendProblem(res, status, status === 500 ? 'internal_error' : 'bad_request', String(err?.message ?? err));
  };
}

/** Whether a request carries a body (a length above 0, or chunked), as body-parser decides it. */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Reads every JSON body of the API once, before the routes (their own `json()` then finds it read):
 * at most 1 MB, UTF-8 (invalid bytes are refused, not replaced by U+FFFD into a stored note), and a
 * body of another type (text/plain, a form) is refused with 415 instead of being ignored — a client
 * that forgets the Content-Type otherwise gets a puzzling "field missing" answer.
 */
export function jsonBody(): RequestHandler[] {
  const refuseOtherTypes: RequestHandler = (req, res, next) => {
    if (!hasBody(req) || req.is(['application/json', 'application/*+json'])) return next();
    const given = req.get('content-type') ?? 'none';
    sendProblem(res, 415, 'unsupported_media_type', {
      zh: `请求体须为 JSON（Content-Type: application/json），收到的是 ${given}`,
      en: `the body must be JSON (Content-Type: application/json); got ${given}`,
    });
  };
  const parse = express.json({
    limit: BODY_LIMIT_BYTES,
    type: ['application/json', 'application/*+json'],
    verify: (_req, _res, buf) => {
      if (!isUtf8(buf))
        throw Object.assign(new Error('the body is not valid UTF-8'), { status: 400, type: 'body.not_utf8' });
      // Before parsing: a validator, the audit's redaction or String() recursing into 10 000 levels overflows the stack.
      if (nestingDepth(buf) > BODY_MAX_DEPTH)
        throw Object.assign(new Error('the body nests too deep'), { status: 400, type: 'body.too_deep' });
    },
  });
  return [refuseOtherTypes, parse];
}
