import type { IntensityReport } from '../../core/reports/report.ts';
import {
  areaTable,
  entryTable,
  factorTable,
  itemCodeTable,
  notesTable,
  periodTable,
  projectionTable,
  rankingTable,
  subitemTable,
} from './detailTables.ts';
import { missingList, missingTable } from './missing.ts';
import type { Table } from './model.ts';
import { quotaTables } from './quotaTables.ts';
import { buildingTable, coverageTable, energyTypeTable, indicatorTable, summaryTable } from './tables.ts';

/**
 * The report's tables in reading order, the same for every format: 摘要, 指标, 缺数据 (when
 * anything is missing or partly covered: each item once), 建筑, 分类, 覆盖率,
 * 同比环比, 分项, 分项编码 (when a meter is coded below its sub-item), 排名, 分区 (when the site has metered areas), 预测, 定额 and 办公建筑基准 (when the site sets quotas), 系数, 填报数据, 说明 (which
 * gathers the notes of all the others).
 */
export function reportTables(r: IntensityReport): Table[] {
  const tables = [
    summaryTable(r),
    indicatorTable(r),
    ...(missingList(r).length > 0 ? [missingTable(r)] : []),
    buildingTable(r),
    energyTypeTable(r),
    coverageTable(r),
    periodTable(r),
    subitemTable(r),
    ...[itemCodeTable(r)].filter((t): t is Table => t !== undefined),
    rankingTable(r),
    ...(r.areas.length > 0 ? [areaTable(r)] : []),
    projectionTable(r),
    ...quotaTables(r),
    factorTable(r),
    entryTable(r),
  ];
  return [...tables, notesTable(r, tables)];
}
