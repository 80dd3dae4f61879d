/**
 * The annual statistics return (公共机构能源资源消费统计，基层表) as the reports service gives it and
 * every renderer reads it: basic information, quantity and cost per item of the form, the check
 * list of what is missing before it can be filed, and the notes on what rests on unverified facts.
 * Pure types; the figures are computed in reports/statistics.
 */

/** How a cost was arrived at: from bills (账单), from a tariff (计算值), both, or not at all. */
export type CostBasis = 'billed' | 'computed' | 'mixed';

/** One row of 公共机构能源资源消费状况: an item of the form, in the form's unit. */
export interface StatisticsRow {
  /** Item id of reports/data/statistics-form.yaml, e.g. electricity, manufactured_gas. */
  item: string;
  /** As on the form: 电, 水, 煤炭, …, 热力(按热量收费), 其他能源. */
  label: string;
  /** The form's unit: 千瓦时, 吨, 立方米, 千克, 百万千焦, 吨标准煤. */
  unit: string;
  unit_verified: boolean;
  /**
   * none: nothing recorded or metered this year (the cell stays empty); complete: every day of every
   * building that uses it is covered; incomplete: some days are not (the check list names them).
   */
  state: 'none' | 'complete' | 'incomplete' | 'not_tracked';
  /** In the form's unit; null when state is none or not_tracked. */
  quantity: number | null;
  /** Yuan to the 分; null when no day of it has a cost. */
  cost_yuan: number | null;
  /** Of cost_yuan, from bills and from tariffs. */
  cost_billed_yuan: number;
  cost_computed_yuan: number;
  cost_basis: CostBasis | null;
  /** Whether a cost is missing on some day that has a quantity. */
  cost_complete: boolean;
  /** 账单 / 计算值 / 账单+计算值, and what is missing, in Chinese. */
  note: string;
}

/** One building's part of a row (the 明细 sheet). */
export interface StatisticsBuildingRow {
  building: string;
  name: string;
  item: string;
  label: string;
  unit: string;
  quantity: number;
  metered_days: number;
  entered_days: number;
  days: number;
  cost_yuan: number | null;
  cost_billed_yuan: number;
  cost_computed_yuan: number;
  /** Days with a quantity but no cost (no bill cost and no tariff that prices them). */
  cost_missing_days: number;
}

/** What must be settled before the return can be filed. */
export interface CheckItem {
  kind: 'unit_nature' | 'floor_area' | 'people' | 'month_without_data' | 'cost_missing' | 'not_tracked';
  building?: string;
  item?: string;
  /** In Chinese, naming the building, item and days. */
  text: string;
}

/** A basic-information field: the value and where it comes from, or null with why. */
export interface BasicField {
  label: string;
  value: number | string | null;
  unit: string;
  text: string;
}

/** A tariff that priced some cost on the return. */
export interface TariffUsed {
  energy_type: string;
  effective_from: string;
  buildings: string[] | 'all';
  prices: string;
  source: string;
  verified: boolean;
}

export interface StatisticsReport {
  kind: 'statistics';
  year: number;
  origin: { site_file: string; organization: string; data_dir: string; store: string; made_at: string };
  form: { name: string; number: string | null; number_note: string; source: string; verified: boolean };
  /** 公共机构基本信息: 单位名称, 单位性质, 建筑面积, 用能人数, 编制人数, 使用人数. */
  basic: BasicField[];
  rows: StatisticsRow[];
  buildings: StatisticsBuildingRow[];
  checklist: CheckItem[];
  /** True when the check list is empty. */
  ready: boolean;
  tariffs_used: TariffUsed[];
  notes: { text: string; verified: boolean }[];
}
