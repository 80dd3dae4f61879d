import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { JnError } from '../../core/errors.ts';
import type { IntensityReport } from '../../core/reports/report.ts';
import { indicatorLabels, statusLabels } from './csv.ts';

/**
 * CJK fonts a PDF can embed, in order of preference. Debian's `fonts-wqy-microhei` (5 MB, installed
 * by scripts/setup) is enough; Noto CJK works too. The PDF's standard fonts have no Chinese glyphs.
 */
// `family` is the PostScript name of the face inside the collection (TTC), as fontkit looks it up.
const CJK_FONTS: { file: string; family: string }[] = [
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
];

export function cjkFont(): { file: string; family: string } {
  const found = CJK_FONTS.find((f) => existsSync(f.file));
  if (!found)
    throw new JnError(
      'font_missing',
      `no Chinese font for the PDF: install one with "apt-get install -y fonts-wqy-microhei" (looked for ${CJK_FONTS.map((f) => f.file).join(', ')})`,
    );
  return found;
}

const subitemNames: Record<string, string> = {
  lighting_socket: '照明插座',
  hvac: '空调',
  power: '动力',
  special: '特殊',
  other: '其他（未计量）',
};

const num = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined
    ? '—'
    : v.toLocaleString('zh-CN', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)} %`);

/** The report as an A4 PDF with the Chinese text in an embedded CJK font. */
export function reportPdf(r: IntensityReport, title = '公共机构能源资源消耗强度报告'): Promise<Buffer> {
  const font = cjkFont();
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: title, Producer: 'jieneng' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('cjk', font.file, font.family);
  doc.font('cjk');

  doc.fontSize(16).text(title);
  doc.fontSize(10).moveDown(0.5);
  doc.text(`单位：${r.organization.name}    报告期：${r.from} 至 ${r.to}（${r.days} 天）`);
  doc.text(`折标方法：${r.basis_text}`);
  if (r.plan)
    doc.text(
      `对照规划：${r.plan.name}（基准年 ${r.baseline_year}）${r.plan.verified ? '' : '〔目标数据未核对〕'}`,
    );
  doc.moveDown();

  doc.fontSize(12).text('一、主要指标');
  doc.fontSize(9);
  for (const c of r.comparisons)
    doc.text(
      `${indicatorLabels[c.indicator] ?? c.indicator}：本期 ${num(c.value, 3)}，基准年 ${num(c.baseline, 3)}，变化 ${pct(c.change)}，目标 ${pct(c.target)}（至本年 ${pct(c.target_by_now)}），${statusLabels[c.status]}${c.national_base === null ? '' : `；全国2020年 ${num(c.national_base)}`}`,
    );
  for (const pc of r.period_comparisons)
    doc.text(
      `${pc.base_text}：${pc.figures.map((f) => `${f.name} ${num(f.value)} ${f.unit}（${pct(f.change)}）`).join('，')}`,
    );
  doc.moveDown();

  doc.fontSize(12).text('二、分建筑');
  doc.fontSize(9);
  for (const s of [...r.buildings, r.organization])
    doc.text(
      `${s.name}：建筑面积 ${num(s.floor_area_m2, 0)} m²，用能人数 ${num(s.headcount, 1)}，综合能耗 ${num(s.energy_kgce)} kgce，碳排放 ${num(s.carbon_kgco2)} kgCO₂，单位面积能耗 ${num(s.indicators.energy_per_area_kgce_m2, 3)} kgce/m²，人均 ${num(s.indicators.energy_per_capita_kgce, 2)} kgce/人`,
    );
  doc.moveDown();

  doc.fontSize(12).text('三、分项、排名与预测');
  doc.fontSize(9);
  if (r.subitems.some((x) => x.value > 0))
    doc.text(
      `用电分项：${r.subitems.map((x) => `${subitemNames[x.key] ?? x.key} ${num(x.value)} kWh`).join('，')}`,
    );
  doc.text(
    `单位建筑面积能耗排名（低者为优）：${r.ranking.energy_per_area_kgce_m2.map((x) => `${x.rank}. ${x.name} ${num(x.value, 3)}`).join('；') || '—'}`,
  );
  doc.text(
    `人均用水量排名（低者为优）：${r.ranking.water_per_capita_m3.map((x) => `${x.rank}. ${x.name} ${num(x.value, 2)}`).join('；') || '—'}`,
  );
  for (const a of r.areas)
    doc.text(
      `${a.name}（${a.building}）：电量 ${num(a.electricity_kwh)} kWh，${num(a.electricity_per_area_kwh_m2, 3)} kWh/m²`,
    );
  if (r.projection)
    doc.text(
      `${r.projection.year} 年全年预测：综合能耗 ${num(r.projection.energy_kgce)} kgce，碳排放 ${num(r.projection.carbon_kgco2)} kgCO₂；${r.projection.method_text}`,
    );
  doc.moveDown();

  doc.fontSize(12).text('四、折标及排放系数');
  doc.fontSize(8);
  for (const f of r.factors)
    doc.text(
      `${f.what}：${f.value} ${f.unit}；来源：${f.source}；${f.verified ? '已核对' : '未核对'}${f.note ? `；${f.note}` : ''}`,
    );
  const notes = [...r.buildings, r.organization].flatMap((s) => s.notes.map((n) => `${s.name}：${n}`));
  const superseded = r.entries_superseded.map(
    (e) => `${e.building} ${e.energy_type} ${e.period}：${num(e.quantity)} ${e.reason}`,
  );
  if (notes.length + superseded.length > 0) {
    doc.moveDown();
    doc.fontSize(12).text('五、数据质量说明');
    doc.fontSize(8);
    for (const n of [...notes, ...superseded]) doc.text(n);
  }
  doc.end();
  return done;
}
