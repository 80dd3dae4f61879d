import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { ReportFormat } from '../../core/reports/port.ts';
import type { Store } from '../../core/store/store.ts';
import type { Ledger } from '../ledger/ledger.ts';

/** What every report kind is built from: the site, its store and its ledger. */
export interface ReportSources {
  site: LoadedSite;
  store: Store;
  ledger: Ledger;
  /** Where the store and ledger live, as the report names it. */
  dataDir: string;
  /** Now (ms since the epoch): what today and the date made are. */
  now?: (() => number) | undefined;
}

/**
 * One kind of report: its figures from the sources and a query, and the report in each format. A
 * new kind (the annual statistics return, quotas) is one module beside intensity.ts and one line
 * in the registry (index.ts).
 */
export interface ReportKind<Query, Report> {
  id: string;
  /** The title printed on the report, zh-CN. */
  title: string;
  build(sources: ReportSources, query: Query): Promise<Report>;
  render(report: Report, format: ReportFormat): Promise<Buffer>;
}
