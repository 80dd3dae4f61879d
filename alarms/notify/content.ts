import { type Alarm, type AlarmEvent, ruleZh, severityZh } from '../../core/alarms/model.ts';
import type { DeliveryKind } from '../../core/alarms/notificationLog.ts';
import type { SiteConfig } from '../../core/config/siteSchema.ts';
import { SiteNames } from '../naming.ts';

/**
 * What a notification says, rendered once when it is queued and stored as the delivery's body:
 * Chinese first (the rule's and severity's Chinese names, the building's name, local times), the
 * English beside it in the webhook JSON. The site file has no public URL of the console, so no
 * link is written (a person finds the alarm by its number under 报警).
 */
export interface Message {
  kind: DeliveryKind;
  /** Subject / robot title, e.g. 【重要】设备离线 · zonghe-main（综合办公楼 总表）. */
  title: string;
  /** Plain text, Chinese. */
  text: string;
  /** The same in English. */
  text_en: string;
  /** Markdown for the robots (企业微信, 钉钉). */
  markdown: string;
  /** HTML body of an e-mail. */
  html: string;
  /** The transition it is about (not for the digest). */
  event?: AlarmEvent;
  /** The digest's figures. */
  digest?: DigestSummary;
}

export interface DigestSummary {
  from: string;
  to: string;
  raised: number;
  cleared: number;
  open: number;
  held: number;
}

/** "2026-12-02T18:00:05+08:00" → "2026-12-02 18:00:05": a local time as a person reads it. */
export const readable = (iso: string | null): string => (iso ? iso.slice(0, 19).replace('T', ' ') : '—');

/**
 * A value from a detector or a person (a message, an acknowledgement's note, a name) on one line:
 * line breaks and other control characters become a space, so a value cannot end the robots'
 * `> ` quote and start a heading, or forge a line of the plain text (状态：…) or a mail header.
 */
export const oneLine = (s: string): string =>
  s
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();

/**
 * A value in 企业微信/钉钉 markdown as its text: the specials that work inside a line
 * backslash-escaped (no bold, italics, strike-through, link, image or code of the value's own; `#`,
 * `>`, `-`, `|` only act at a line's start, which a value on one line never is), `<` and `>` as
 * their full-width forms (no `<@userid>` mention, no `<font>` or other tag).
 */
export const mdText = (s: string): string =>
  oneLine(s)
    .replace(/[\\`*_[\]~]/g, '\\$&')
    .replace(/</g, '＜')
    .replace(/>/g, '＞');

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

const actionZh: Record<string, string> = {
  raise: '发生',
  re_raise: '再次发生',
  clear: '已恢复',
  acknowledge: '已确认',
  escalate: '未确认，已升级',
};
const actionEn: Record<string, string> = {
  raise: 'raised',
  re_raise: 'raised again',
  clear: 'cleared',
  acknowledge: 'acknowledged',
  escalate: 'not acknowledged, escalated',
};

function buildingName(site: SiteConfig, id: string | null): string | null {
  if (!id) return null;
  const b = site.organization.buildings.find((x) => x.id === id);
  return b ? `${b.name}（${id}）` : id;
}

/** What the alarm is about as a person reads it: the device (and point), else the meter, gateway or key, named (alarms/naming.ts). */
function subjectText(names: SiteNames, a: Alarm): string {
  if (a.device) return names.deviceText(a.device);
  if (a.rule.startsWith('meter_') || a.rule === 'night_flow') return names.meterText(a.key);
  if (a.gateway && a.key === a.gateway) return names.gatewayText(a.gateway);
  if (a.building && a.key === a.building) return names.buildingText(a.building);
  return a.key;
}

/** The device row: `zonghe-main / import_energy（综合办公楼 总表）` — id and point as searched for, then what it is. */
function deviceRow(names: SiteNames, device: string, point: string | null): string {
  const label = names.device(device)?.label;
  return `${point ? `${device} / ${point}` : device}${label ? `（${label}）` : ''}`;
}

/** The lines of an alarm message: label and value, Chinese. */
function lines(
  site: SiteConfig,
  names: SiteNames,
  kind: DeliveryKind,
  e: AlarmEvent,
  note?: string,
): [string, string][] {
  const a = e.alarm;
  const out: [string, string][] = [
    ['状态', kind === 're_raise' ? `${actionZh[kind]}（第 ${a.count} 次）` : (actionZh[kind] ?? kind)],
    ['级别', severityZh[a.severity]],
    ['内容', a.message_zh || a.message],
  ];
  const building = buildingName(site, a.building);
  if (building) out.push(['建筑', building]);
  if (a.device) out.push(['设备', deviceRow(names, a.device, a.point)]);
  else out.push(['对象', subjectText(names, a)]);
  if (a.gateway) out.push(['网关', names.gatewayText(a.gateway)]);
  out.push(['发生时间', readable(a.raised_at)]);
  if (kind === 'clear') {
    // What the condition said as it ended (the device answers again …), when it says more than the raise.
    const said = e.transition.action === 'clear' ? e.transition.note : null;
    if (said && said !== a.message_zh) out.push(['恢复情况', said]);
    out.push(['恢复时间', readable(a.cleared_at ?? e.transition.at)]);
  }
  if (kind === 'acknowledge') {
    out.push(['确认人', a.acknowledged_by ?? e.transition.by]);
    out.push(['确认时间', readable(a.acknowledged_at ?? e.transition.at)]);
    if (a.ack_note) out.push(['备注', a.ack_note]);
  }
  if (a.affected > 0) out.push(['受影响', `${a.affected} 项`]);
  if (note) out.push(['说明', note]);
  out.push(['报警编号', `#${a.id}（${site.site.name}）`]);
  return out.map(([k, v]) => [k, oneLine(v)]);
}

function english(names: SiteNames, kind: DeliveryKind, a: Alarm, by: string, note?: string): string {
  const what = kind === 'acknowledge' ? `acknowledged by ${a.acknowledged_by ?? by}` : actionEn[kind];
  const label = a.device ? names.device(a.device)?.label : undefined;
  const where = [
    a.building && `building ${a.building}`,
    a.device && `device ${a.device}${label ? ` (${label})` : ''}`,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    `[${a.severity}] ${a.rule} ${oneLine(what ?? kind)}: ${oneLine(a.message)} (alarm #${a.id}${where ? `, ${oneLine(where)}` : ''}, ` +
    `raised ${readable(a.raised_at)}${note ? `; ${oneLine(note)}` : ''})`
  );
}

/**
 * The message for one alarm transition (raise, re_raise, clear, acknowledge) or its escalation
 * (`note` says why). `names`: the site's (built from `site` when not given; a notifier keeps one).
 */
export function alarmMessage(
  site: SiteConfig,
  kind: DeliveryKind,
  e: AlarmEvent,
  options: { note?: string | undefined; names?: SiteNames } = {},
): Message {
  const { note } = options;
  const names = options.names ?? new SiteNames(site);
  const a = e.alarm;
  const subject = oneLine(subjectText(names, a));
  const prefix = kind === 'clear' ? '【恢复】' : kind === 'acknowledge' ? '【已确认】' : '';
  const escalated = kind === 'escalate' ? '【升级】' : '';
  const title = `${escalated}${prefix}【${severityZh[a.severity]}】${ruleZh[a.rule]} · ${subject}`;
  const rows = lines(site, names, kind, e, note);
  return {
    kind,
    title,
    text: [title, ...rows.map(([k, v]) => `${k}：${v}`)].join('\n'),
    text_en: english(names, kind, a, e.transition.by, note),
    markdown: [`### ${mdText(title)}`, ...rows.map(([k, v]) => `> **${k}**：${mdText(v)}`)].join('\n'),
    html:
      `<h3>${esc(title)}</h3><table>` +
      rows.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('') +
      `</table><p style="color:#888">${esc(english(names, kind, a, e.transition.by, note))}</p>`,
    event: e,
  };
}

/** The daily digest: what was raised, cleared and is still open over the day, and what was held back. */
export function digestMessage(
  site: SiteConfig,
  d: DigestSummary & { openAlarms: Alarm[]; heldTitles: string[] },
): Message {
  const names = new SiteNames(site);
  const title = `【报警日报】${site.site.name} ${readable(d.from).slice(0, 16)} 至 ${readable(d.to).slice(0, 16)}`;
  const summary = `新发生 ${d.raised} 条，已恢复 ${d.cleared} 条，仍未关闭 ${d.open} 条，免打扰/限流期间暂缓 ${d.held} 条`;
  const open = d.openAlarms
    .slice(0, 30)
    .map(
      (a) =>
        `#${a.id} 【${severityZh[a.severity]}】${ruleZh[a.rule]} · ${oneLine(subjectText(names, a))}（${readable(a.raised_at)}）${a.acknowledged ? ' 已确认' : ' 未确认'}`,
    );
  const more = d.openAlarms.length > 30 ? [`……另有 ${d.openAlarms.length - 30} 条`] : [];
  const held = d.heldTitles.slice(0, 30).map(oneLine);
  const sections: [string, string[]][] = [
    ['仍未关闭', [...open, ...more]],
    [
      '暂缓发送',
      held.length < d.heldTitles.length ? [...held, `……另有 ${d.heldTitles.length - 30} 条`] : held,
    ],
  ];
  const text_en =
    `Alarm digest ${site.site.name} ${d.from} – ${d.to}: ${d.raised} raised, ${d.cleared} cleared, ` +
    `${d.open} still open, ${d.held} held back (quiet hours / rate limit)`;
  return {
    kind: 'digest',
    title,
    text: [title, summary, ...sections.flatMap(([h, l]) => (l.length ? [`${h}：`, ...l] : []))].join('\n'),
    text_en,
    markdown: [
      `### ${mdText(title)}`,
      summary,
      ...sections.flatMap(([h, l]) => (l.length ? [`**${h}**`, ...l.map((x) => `- ${mdText(x)}`)] : [])),
    ].join('\n'),
    html:
      `<h3>${esc(title)}</h3><p>${esc(summary)}</p>` +
      sections
        .filter(([, l]) => l.length)
        .map(([h, l]) => `<h4>${esc(h)}</h4><ul>${l.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`)
        .join('') +
      `<p style="color:#888">${esc(text_en)}</p>`,
    digest: { from: d.from, to: d.to, raised: d.raised, cleared: d.cleared, open: d.open, held: d.held },
  };
}
