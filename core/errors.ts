/** What a code means to a person and to HTTP: the status the API answers with, a title in zh-CN and English. */
export interface ErrorInfo {
  /** HTTP status of an API answer carrying this code (CLI-only codes still get one: a route may reach them). */
  status: number;
  /** Title in Chinese (zh-CN), the API's default language. */
  zh: string;
  /** Title in English, when the caller prefers it (Accept-Language). */
  en: string;
}

/**
 * Every error code of jieneng, with its HTTP status and titles — the one place that lists them.
 * `ErrorCode` is derived from these keys, so a `new JnError('some_new_code', …)` fails tsc until
 * the code has an entry here (and with it a status and a title in both languages).
 */
export const errorCatalog = {
  // Requests the API refuses (4xx).
  bad_request: { status: 400, zh: '请求有误', en: 'Bad request' },
  unauthorized: { status: 401, zh: '需要登录', en: 'Authentication required' },
  // The authentication's own 401s name why the credentials were refused (api/auth).
  unauthenticated: { status: 401, zh: '未登录', en: 'Not authenticated' },
  login_failed: { status: 401, zh: '用户名或密码错误', en: 'Wrong user name or password' },
  token_invalid: { status: 401, zh: '令牌无效', en: 'Invalid token' },
  token_expired: { status: 401, zh: '令牌已过期', en: 'Token expired' },
  token_revoked: { status: 401, zh: '令牌已撤销', en: 'Token revoked' },
  session_invalid: { status: 401, zh: '会话无效', en: 'Invalid session' },
  session_expired: { status: 401, zh: '会话已过期', en: 'Session expired' },
  account_disabled: { status: 403, zh: '账户已停用', en: 'Account disabled' },
  forbidden: { status: 403, zh: '没有权限', en: 'Forbidden' },
  csrf_failed: { status: 403, zh: 'CSRF 校验失败', en: 'CSRF check failed' },
  priority_not_allowed: { status: 403, zh: '无权使用该优先级', en: 'Priority not allowed' },
  not_found: { status: 404, zh: '未找到', en: 'Not found' },
  gateway_unknown: { status: 404, zh: '没有这个网关', en: 'Unknown gateway' },
  conflict: { status: 409, zh: '与现有数据冲突', en: 'Conflict' },
  payload_too_large: { status: 413, zh: '请求体过大', en: 'Payload too large' },
  unsupported_media_type: { status: 415, zh: '不支持的内容类型', en: 'Unsupported media type' },
  invalid_input: { status: 422, zh: '数据有误', en: 'Invalid input' },
  command_rejected: { status: 422, zh: '指令被拒绝', en: 'Command rejected' },
  invalid_schedule: { status: 422, zh: '时间表有误', en: 'Invalid schedule' },
  // 423 Locked names what happened (the account is locked), unlike a bare 429; Retry-After says until when.
  login_locked: { status: 423, zh: '账户已锁定', en: 'Account locked' },
  account_locked: { status: 423, zh: '账户已锁定', en: 'Account locked' },
  rate_limited: { status: 429, zh: '请求过于频繁', en: 'Too many requests' },
  too_many_attempts: { status: 429, zh: '尝试次数过多', en: 'Too many attempts' },
  // Failures of the platform or its devices (5xx).
  internal_error: { status: 500, zh: '内部错误', en: 'Internal error' },
  config_invalid: { status: 500, zh: '配置有误', en: 'Invalid configuration' },
  protocol_unknown: { status: 500, zh: '未知协议', en: 'Unknown protocol' },
  protocol_mismatch: { status: 500, zh: '协议不匹配', en: 'Protocol mismatch' },
  font_missing: { status: 500, zh: '缺少字体', en: 'Font missing' },
  port_in_use: { status: 500, zh: '端口已被占用', en: 'Port in use' },
  device_exception: { status: 502, zh: '设备返回异常', en: 'Device exception' },
  device_unreachable: { status: 502, zh: '设备无法连接', en: 'Device unreachable' },
  store_unavailable: { status: 503, zh: '数据存储不可用', en: 'Store unavailable' },
  control_unavailable: { status: 503, zh: '控制服务不可用', en: 'Control service unavailable' },
  stream_limit: { status: 503, zh: '实时数据流已达上限', en: 'Too many live streams' },
  device_no_reply: { status: 504, zh: '设备无应答', en: 'Device did not reply' },
  // The command line only (never reach a route); statuses for completeness.
  usage: { status: 400, zh: '用法有误', en: 'Usage error' },
  output: { status: 500, zh: '无法写入输出', en: 'Output not written' },
} as const satisfies Record<string, ErrorInfo>;

/** A stable snake_case error code: one of the keys of `errorCatalog`. */
export type ErrorCode = keyof typeof errorCatalog;

/** Every code, in catalog order (for the OpenAPI problem schema and tests). */
export const errorCodes = Object.keys(errorCatalog) as ErrorCode[];

/** Whether `code` is a known error code (for codes arriving over the wire, e.g. control RPC replies). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorCatalog, code);
}

/**
 * The one error type of jieneng. `code` is a stable snake_case identifier that callers and the
 * REST layer map on; `message` quotes the entity it is about and says what is allowed or what to do.
 * `zh` is the same message in Chinese when there is one: the API answers it to callers that prefer
 * Chinese (the default), `message` to those that prefer English.
 */
export class JnError extends Error {
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;
  /** The message in Chinese, when the thrower wrote one. */
  readonly zh: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { context?: Record<string, unknown>; cause?: unknown; zh?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JnError';
    this.code = code;
    this.context = options.context ?? {};
    this.zh = options.zh;
  }
}

/** The message of anything thrown, for logs: JnError and Error keep their text, the rest is stringified. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
