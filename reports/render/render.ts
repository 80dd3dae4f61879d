import type { ReportFormat } from '../../core/reports/port.ts';
import type { IntensityReport } from '../../core/reports/report.ts';
import { reportCsv } from './csv.ts';

export type { ReportFormat };

/** Content types of the report formats. */
export const reportContentTypes: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** The report in one format; exceljs and pdfkit are loaded only when asked for. */
export async function renderReport(report: IntensityReport, format: ReportFormat): Promise<Buffer> {
  switch (format) {
    case 'json':
      return Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
    case 'csv':
      return Buffer.from(reportCsv(report));
    case 'xlsx':
      return (await import('./xlsx.ts')).reportXlsx(report);
    case 'pdf':
      return (await import('./pdf.ts')).reportPdf(report);
  }
}
