import type { ReportFormat } from '../../core/reports/port.ts';
import type { IntensityReport } from '../../core/reports/report.ts';
import { reportCsvZip } from './csv.ts';

export type { ReportFormat };

/** Content types of the report formats; csv is a zip of one UTF-8 CSV per table. */
export const reportContentTypes: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'application/zip',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** File name extensions of the report formats, with the dot: a CSV report is `.csv.zip`. */
export const reportExtensions: Record<ReportFormat, string> = {
  json: '.json',
  csv: '.csv.zip',
  xlsx: '.xlsx',
  pdf: '.pdf',
};

/** The report in one format; exceljs and pdfkit are loaded only when asked for. */
export async function renderReport(report: IntensityReport, format: ReportFormat): Promise<Buffer> {
  switch (format) {
    case 'json':
      return Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
    case 'csv':
      return Buffer.from(reportCsvZip(report));
    case 'xlsx':
      return (await import('./xlsx.ts')).reportXlsx(report);
    case 'pdf':
      return (await import('./pdf.ts')).reportPdf(report);
  }
}
