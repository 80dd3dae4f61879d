/**
 * Device error text in Chinese for the people who read alarms (issue 17). A gateway reports why a
 * device did not answer or a reading is bad in the words of its protocol stack (modbus-serial,
 * node-opcua, Node's sockets: `read holding_register 0+80 at unit 1: Timed out`); an alarm says
 * it in Chinese and keeps the original after it, e.g. `从站设备故障（Modbus 异常码 04, Slave device
 * failure）`. The tables below are the data; `deviceErrorZh` only applies them. A text none of
 * them knows is kept as it is.
 */

/** Modbus exception codes: Modbus Application Protocol Specification V1.1b3 §7, as modbus-serial names them. */
export const modbusExceptions: Readonly<Record<number, { zh: string; en: string }>> = {
  1: { zh: '非法功能码', en: 'Illegal function' },
  2: { zh: '非法数据地址', en: 'Illegal data address' },
  3: { zh: '非法数据值', en: 'Illegal data value' },
  4: { zh: '从站设备故障', en: 'Slave device failure' },
  5: { zh: '请求已受理，仍在处理', en: 'Acknowledge' },
  6: { zh: '从站设备忙', en: 'Slave device busy' },
  7: { zh: '从站无法执行该编程功能', en: 'Negative acknowledge' },
  8: { zh: '存储器奇偶校验错误', en: 'Memory parity error' },
  10: { zh: '网关路径不可用', en: 'Gateway path unavailable' },
  11: { zh: '网关目标设备无应答', en: 'Gateway target device failed to respond' },
};

/** OPC UA Bad status codes (OPC 10000-4 §7.38, OPC 10000-6 Annex A) a gateway meets from a server or its client. */
export const opcuaStatuses: Readonly<Record<string, string>> = {
  BadDeviceFailure: '设备故障',
  BadSensorFailure: '传感器故障',
  BadOutOfService: '设备已停用',
  BadNoCommunication: '服务器与设备无通信',
  BadWaitingForInitialData: '等待设备的首个数据',
  BadNodeIdUnknown: '节点不存在',
  BadNodeIdInvalid: '节点标识无效',
  BadBrowseNameInvalid: '浏览名无效',
  BadAttributeIdInvalid: '属性无效',
  BadTimeout: '请求超时',
  BadRequestTimeout: '请求超时',
  BadCommunicationError: '通信错误',
  BadConnectionClosed: '连接已关闭',
  BadSecureChannelClosed: '安全通道已关闭',
  BadServerNotConnected: '未连接到服务器',
  BadNotConnected: '未连接',
  BadServerHalted: '服务器已停止',
  BadShutdown: '服务器正在关闭',
  BadSessionClosed: '会话已关闭',
  BadSessionIdInvalid: '会话无效',
  BadSessionNotActivated: '会话未激活',
  BadSubscriptionIdInvalid: '订阅无效',
  BadTooManySubscriptions: '订阅数超过服务器上限',
  BadTooManySessions: '会话数超过服务器上限',
  BadTooManyOperations: '一次请求的节点数超过服务器上限',
  BadServiceUnsupported: '服务器不支持该服务',
  BadNotSupported: '服务器不支持',
  BadUserAccessDenied: '无访问权限',
  BadNotReadable: '节点不可读',
  BadNotWritable: '节点不可写',
  BadOutOfRange: '数值超出范围',
  BadTypeMismatch: '数据类型不符',
  BadInternalError: '服务器内部错误',
  BadOutOfMemory: '服务器内存不足',
  BadResourceUnavailable: '服务器资源不足',
  BadCertificateUntrusted: '证书不受信任',
  BadSecurityChecksFailed: '安全检查未通过',
  BadIdentityTokenInvalid: '身份凭证无效',
  BadIdentityTokenRejected: '身份凭证被拒绝',
};

/** Errors of the line itself: Node's socket and serial-port errors, modbus-serial's frame checks. */
export const lineErrors: readonly { match: RegExp; zh: string }[] = [
  { match: /\bECONNREFUSED\b/, zh: '连接被拒绝，对方端口无服务' },
  { match: /\bECONNRESET\b/, zh: '连接被对方重置' },
  { match: /\bEHOSTUNREACH\b/, zh: '主机不可达' },
  { match: /\bENETUNREACH\b/, zh: '网络不可达' },
  { match: /\bETIMEDOUT\b|^TCP Connection Timed Out$/, zh: '建立连接超时' },
  { match: /\bEPIPE\b|socket hang up/i, zh: '连接已断开' },
  { match: /\b(?:ENOTFOUND|EAI_AGAIN)\b/, zh: '主机名无法解析' },
  { match: /^Port Not Open$/, zh: '连接未打开' },
  { match: /\bENOENT\b|No such file or directory/, zh: '串口设备不存在' },
  { match: /\bEACCES\b|Permission denied/, zh: '无权访问串口设备' },
  { match: /\bEBUSY\b|Cannot lock port|Resource busy/, zh: '串口已被占用' },
  { match: /^CRC error$/, zh: '应答 CRC 校验错误' },
  { match: /^Data length error/, zh: '应答长度不对' },
  { match: /^Unexpected data error/, zh: '应答与请求不符' },
];

/** Modbus tables as the gateway names them in a request (gateway/protocols/modbus/client.ts). */
const tablesZh: Readonly<Record<string, string>> = {
  holding_register: '保持寄存器',
  input_register: '输入寄存器',
  coil: '线圈',
  discrete_input: '离散输入',
};

type Translate = (text: string) => string;

/**
 * What the gateway puts around a cause (gateway/protocols/modbus/client.ts, poller.ts,
 * gateway/protocols/opcua/subscriber.ts, values.ts): said in Chinese, the cause inside translated.
 */
const contexts: readonly { match: RegExp; zh: (m: RegExpExecArray, t: Translate) => string }[] = [
  {
    match: /^skipped: no answer to the previous request \((.*)\)$/s,
    zh: (m, t) => `跳过（上一请求无应答）：${t(m[1] ?? '')}`,
  },
  {
    match: /^read (\w+) (\d+)\+(\d+) at unit (\d+): (.*)$/s,
    zh: (m, t) => `读${tablesZh[m[1] ?? ''] ?? m[1]} ${m[2]}+${m[3]}（从站 ${m[4]}）：${t(m[5] ?? '')}`,
  },
  {
    match: /^write (\w+) (\d+) at unit (\d+): (.*)$/s,
    zh: (m, t) => `写${tablesZh[m[1] ?? ''] ?? m[1]} ${m[2]}（从站 ${m[3]}）：${t(m[4] ?? '')}`,
  },
  { match: /^cannot connect to (.+?): (.*)$/s, zh: (m, t) => `无法连接 ${m[1]}：${t(m[2] ?? '')}` },
  { match: /^node (\S+): (.*)$/s, zh: (m, t) => `节点 ${m[1]}：${t(m[2] ?? '')}` },
  {
    match: /^connection to the OPC UA server (\S+) lost$/,
    zh: (m) => `与 OPC UA 服务器 ${m[1]} 的连接中断（connection lost）`,
  },
  {
    match: /^no connection to the OPC UA server (\S+)$/,
    zh: (m) => `连不上 OPC UA 服务器 ${m[1]}（no connection）`,
  },
  {
    match: /^session on (\S+) not created: (.*)$/s,
    zh: (m, t) => `未能与 ${m[1]} 建立会话：${t(m[2] ?? '')}`,
  },
  {
    match: /^subscription on (\S+) not created: (.*)$/s,
    zh: (m, t) => `未能在 ${m[1]} 上建立订阅：${t(m[2] ?? '')}`,
  },
  { match: /^subscription on (\S+) lost: (.*)$/s, zh: (m, t) => `${m[1]} 上的订阅已失效：${t(m[2] ?? '')}` },
  {
    match: /^subscription on (\S+) silent for ([\d.]+) s\b/,
    zh: (m) => `${m[1]} 上的订阅 ${m[2]} 秒无数据变化，正在重建（silent for ${m[2]} s）`,
  },
];

/** Two hex digits, as the specification writes exception codes: 04, 0A. */
const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

/** A cause alone: a Modbus exception, a timeout, an OPC UA status, a line error; else unchanged. */
function cause(text: string, timeoutMs: number | undefined): string {
  const ex = /(?:^|\b)(?:exception (\d+) \()?Modbus exception (\d+): ([^(]*?)\s*(?:\(.*)?$/s.exec(text);
  if (ex) {
    const code = Number(ex[2]);
    const known = modbusExceptions[code];
    return known
      ? `${known.zh}（Modbus 异常码 ${hex2(code)}, ${known.en}）`
      : `Modbus 异常（异常码 ${hex2(code)}, ${ex[3] || 'Unknown error'}）`;
  }
  if (/^Timed out$/.test(text))
    return `${timeoutMs === undefined ? '设备无应答' : `设备 ${timeoutMs} ms 内无应答`}（Timed out）`;
  const bad = /\b(Bad[A-Z][A-Za-z]+)\b/.exec(text);
  if (bad?.[1]) return `${opcuaStatuses[bad[1]] ?? 'OPC UA 错误状态'}（${text}）`;
  for (const e of lineErrors) if (e.match.test(text)) return `${e.zh}（${text}）`;
  return text;
}

/**
 * A device error as the gateway reported it, in Chinese with the original after it:
 * `read holding_register 0+80 at unit 1: Timed out` → `读保持寄存器 0+80（从站 1）：设备 3000 ms
 * 内无应答（Timed out）`. `timeoutMs` is the device's reply timeout (its connection's `timeout`),
 * which a Modbus timeout does not say itself. Unknown text is returned as it is.
 */
export function deviceErrorZh(reason: string, options: { timeoutMs?: number | undefined } = {}): string {
  const t: Translate = (text) => {
    for (const c of contexts) {
      const m = c.match.exec(text);
      if (m) return c.zh(m, t);
    }
    return cause(text, options.timeoutMs);
  };
  return t(reason.trim());
}
