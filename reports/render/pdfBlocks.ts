import type PDFDocument from 'pdfkit';
import type { IntensityReport } from '../../core/reports/report.ts';
import { madeAt, storeName } from './labels.ts';

type Doc = InstanceType<typeof PDFDocument>;

/** The signature block's fields, as the 公共机构能源资源消耗统计 forms have them. */
export const SIGNATURE_FIELDS = ['填报人', '审核人', '单位负责人（签字）', '填报日期', '单位盖章'];

const GREY = '#555555';
const bottom = (doc: Doc, margin: number) => doc.page.height - margin;

/**
 * 数据来源, small at the end: which site file, data directory and store the figures come from and
 * when the report was made (the issue wants the report to say it; page 1 is the officer's).
 */
export function originBlock(doc: Doc, r: IntensityReport, margin: number): void {
  const o = r.origin;
  const lines = [
    `数据来源：站点文件 ${o.site_file || '未记录'}；数据目录 ${o.data_dir || '未记录'}；数据存储 ${storeName(o.store) || '未记录'}；编制时间 ${madeAt(o.made_at) || '未记录'}`,
  ];
  doc.fontSize(7).fillColor(GREY);
  const width = doc.page.width - 2 * margin;
  for (const line of lines) {
    const h = doc.heightOfString(line, { width });
    if (doc.y + h > bottom(doc, margin)) doc.addPage();
    doc.text(line, margin, doc.y, { width });
    doc.y += 2;
  }
  doc.fillColor('#000000');
}

/**
 * 填报人、审核人、单位负责人（签字）、填报日期 with a line to write on, and a box for 单位盖章 —
 * kept together on one page (about 120 pt).
 */
export function signatureBlock(doc: Doc, margin: number): void {
  const height = 120;
  if (doc.y + height > bottom(doc, margin)) doc.addPage();
  const x0 = margin;
  const width = doc.page.width - 2 * margin;
  const top = doc.y + 12;
  doc.fontSize(10).fillColor('#000000');
  const left = width - 140;
  // 填报人 and 审核人 side by side, 单位负责人（签字） under them, each with a line to sign on
  const field = (label: string, x: number, y: number, w: number) => {
    doc.text(`${label}：`, x, y, { lineBreak: false });
    const start = x + doc.widthOfString(`${label}：`) + 2;
    doc
      .moveTo(start, y + 12)
      .lineTo(x + w - 12, y + 12)
      .lineWidth(0.5)
      .strokeColor('#000000')
      .stroke();
  };
  field(SIGNATURE_FIELDS[0] ?? '', x0, top, left / 2);
  field(SIGNATURE_FIELDS[1] ?? '', x0 + left / 2, top, left / 2);
  field(SIGNATURE_FIELDS[2] ?? '', x0, top + 32, left);
  const dateY = top + 64;
  doc.text(`${SIGNATURE_FIELDS[3]}：      年      月      日`, x0, dateY, { lineBreak: false });
  // 单位盖章: a box at the right where the seal goes
  const box = { x: x0 + width - 120, y: top - 4, w: 120, h: 96 };
  doc.rect(box.x, box.y, box.w, box.h).lineWidth(0.5).strokeColor('#9e9e9e').stroke();
  doc.fillColor(GREY).text(`${SIGNATURE_FIELDS[4]}`, box.x + 6, box.y + box.h - 16, { lineBreak: false });
  doc.fillColor('#000000');
  doc.y = top + height - 12;
}
