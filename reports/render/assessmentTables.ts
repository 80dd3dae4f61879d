import { strToU8, zipSync } from 'fflate';
import type { ReportFormat } from '../../core/reports/port.ts';
import { type AssessmentReport, resultNames } from '../figures/assessment.ts';
import { csvFileName, tableCsv } from './csv.ts';
import { indicatorNames, madeAt, planNoteText, storeName } from './labels.ts';
import { type Cell, fig, MISSING, share, type Table } from './model.ts';
import { planWords } from './tables.ts';

/**
 * The final assessment (终期考核) as tables — 摘要, 考核 (scope × indicator: base year, end year,
 * change, target, result, coverage, estimated and entered shares), 说明 — and as JSON, a zip of
 * CSV tables or an XLSX workbook, drawn like the intensity report.
 */

function summary(a: AssessmentReport): Table {
  const o = a.origin;
  const note = planNoteText(a);
  const rows: [string, string][] = [
    ['单位', o.organization],
    ['考核', `${a.plan.name}终期考核：${a.year} 年全年与基准年 ${a.base_year} 全年比较`],
    ['对照规划', planWords(a.plan)],
    ['规划来源', a.plan.source],
    ['基准年', String(a.base_year)],
    ['考核年', String(a.year)],
    ['考核结论', `${resultNames[a.result]}：${a.result_text}`],
    ['折标方法', a.basis_text],
    ...(note ? [['规划说明', note] as [string, string]] : []),
    ['编制时间', madeAt(o.made_at) || '未记录'],
    ['站点文件', o.site_file || '未记录'],
    ['数据目录', o.data_dir || '未记录'],
    ['数据存储', storeName(o.store) || '未记录'],
  ];
  return {
    name: '摘要',
    title: '考核信息',
    columns: [
      { header: '项目', kind: 'text' },
      { header: '内容', kind: 'text' },
    ],
    rows,
    notes: [],
  };
}

function results(a: AssessmentReport): Table {
  const rows: Cell[][] = a.rows.map((r) => {
    const ind = indicatorNames[r.indicator];
    const judged = r.result === 'incomplete' ? '数据不全' : MISSING;
    return [
      r.scope_name,
      ind.name,
      ind.unit,
      fig(r.base_value),
      fig(r.value),
      fig(r.change, r.value === null || r.base_value === null ? MISSING : judged),
      fig(r.target, '无目标'),
      resultNames[r.result],
      r.result_text,
      share(r.coverage),
      share(r.base_coverage),
      share(r.estimated_share),
      share(r.entered_share),
      fig(r.national_base, '无'),
    ];
  });
  return {
    name: '考核',
    title: '终期考核结果',
    columns: [
      { header: '范围', kind: 'text' },
      { header: '指标', kind: 'text' },
      { header: '单位', kind: 'text' },
      { header: `${a.base_year}年`, kind: 'number', digits: 3 },
      { header: `${a.year}年`, kind: 'number', digits: 3 },
      { header: '变化', kind: 'percent' },
      { header: '规划目标', kind: 'percent' },
      { header: '结果', kind: 'text' },
      { header: '说明', kind: 'text' },
      { header: `${a.year}年覆盖率`, kind: 'percent' },
      { header: `${a.base_year}年覆盖率`, kind: 'percent' },
      { header: '估算占比', kind: 'percent' },
      { header: '填报占比', kind: 'percent' },
      { header: `全国${a.base_year}年`, kind: 'number', digits: 2 },
    ],
    rows,
    notes: [
      '变化 = 考核年 ÷ 基准年 − 1；变化不高于规划目标为完成。覆盖率为指标所依据各能源品种中最低的天数覆盖比例。',
    ],
  };
}

function notes(a: AssessmentReport, tables: Table[]): Table {
  return {
    name: '说明',
    title: '说明',
    columns: [
      { header: '范围', kind: 'text' },
      { header: '说明', kind: 'text' },
    ],
    rows: [...a.notes.map((n) => ['考核', n]), ...tables.flatMap((t) => t.notes.map((n) => [t.name, n]))],
    notes: [],
  };
}

/** The assessment's tables in reading order. */
export function assessmentTables(a: AssessmentReport): Table[] {
  const tables = [summary(a), results(a)];
  return [...tables, notes(a, tables)];
}

/** The assessment in one format: json, csv (a zip of CSV tables) or xlsx; a PDF is not offered. */
export async function renderAssessment(a: AssessmentReport, format: ReportFormat): Promise<Buffer> {
  if (format === 'json') return Buffer.from(`${JSON.stringify(a, null, 2)}\n`);
  const tables = assessmentTables(a);
  if (format === 'xlsx') return (await import('./xlsx.ts')).tablesXlsx(tables, a.origin.made_at);
  if (format === 'csv') {
    const files: Record<string, Uint8Array> = {};
    tables.forEach((t, i) => {
      files[csvFileName(t, i)] = strToU8(tableCsv(t));
    });
    const made = Date.parse(a.origin.made_at);
    return Buffer.from(
      zipSync(files, { level: 6, mtime: new Date(Number.isFinite(made) ? made : Date.UTC(2000, 0, 1)) }),
    );
  }
  throw new Error(`assessment: format ${format} is not offered (json, csv, xlsx)`);
}
