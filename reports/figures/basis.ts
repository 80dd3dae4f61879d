import type { CoalRateChoice, ElectricityBasis, UsedFactor } from '../../core/reports/report.ts';
import { electricityKgce, type Factors, gridCo2 } from '../factors.ts';

/** The electricity basis in words, printed on every report. */
export const basisText = (basis: ElectricityBasis) =>
  basis === 'equivalent'
    ? '电力按当量值折标 (0.1229 kgce/kWh, GB/T 2589-2020)'
    : '电力按等价值折标 (上一年度火电供电标准煤耗)';

/** How electricity converts in each year a report compares, and the choice in words. */
export interface ElectricityChoice {
  /** kgce/kWh for a period of `year`. */
  forYear: (year: number) => UsedFactor;
  coal_rate: CoalRateChoice | null;
}

const rateText = (f: UsedFactor) => `${f.what} ${f.value} ${f.unit}${f.note ? `（${f.note}）` : ''}`;

/**
 * 当量值 is one value for every year. 等价值 (issue 14 §4): by default every period is converted
 * with ONE coal rate — the report year's, the previous year's published rate — so the grid's
 * improvement does not count as the building's; `each_year` converts each year with its own.
 */
export function electricityChoice(
  factors: Factors,
  basis: ElectricityBasis,
  mode: CoalRateChoice['mode'],
  reportYear: number,
  baselineYear: number | null,
): ElectricityChoice {
  if (basis === 'equivalent')
    return { forYear: () => electricityKgce(factors, basis, reportYear), coal_rate: null };
  const rate = electricityKgce(factors, basis, reportYear);
  if (mode === 'one_rate')
    return {
      forYear: () => rate,
      coal_rate: {
        mode,
        rate,
        text: `等价值：本期${baselineYear === null ? '' : `与基准年 ${baselineYear} `}及各比较期均按报告年 ${reportYear} 的上一年度火电供电标准煤耗折算：${rateText(rate)}；各年同一折算系数，电网效率的变化不计为本单位节能`,
      },
    };
  const base = baselineYear === null ? null : electricityKgce(factors, basis, baselineYear);
  return {
    forYear: (year) => electricityKgce(factors, basis, year),
    coal_rate: {
      mode,
      rate,
      text: `等价值：各年按其上一年度火电供电标准煤耗折算：本期 ${rateText(rate)}${base ? `；基准年 ${baselineYear} ${rateText(base)}` : ''}；变化中含电网效率的变化`,
    },
  };
}

/**
 * Which grid factor each year is converted with (each_year): "2020 年用 2022 年 0.5366（无 2020 年数值）"
 * (second review, defect 10).
 */
export function eachYearGrid(factors: Factors, region: string, years: number[]): string {
  return [...new Set(years)]
    .sort((a, b) => b - a)
    .map((y) => {
      const g = gridCo2(factors, y, region);
      const used = Number(/(\d{4}) 年$/.exec(g.what)?.[1] ?? y);
      return `${y} 年用 ${used} 年 ${g.value} ${g.unit}${used === y ? '' : `（无 ${y} 年数值）`}`;
    })
    .join('；');
}
