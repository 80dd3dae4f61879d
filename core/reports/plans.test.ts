import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStandardPlans, planForYear, planNamed, type SiteTargetSet, siteTargetsSchema } from './plans.ts';

/** Issue 18, "Plans as data": reports/data/targets.yaml as the reports and target_trend read it. */
const standard = loadStandardPlans();

const fujian: SiteTargetSet = siteTargetsSchema.parse([
  {
    id: '15th-fujian',
    name: '福建省“十五五”公共机构节约能源资源工作目标',
    plan: '15th-five-year',
    level: 'provincial',
    source: '闽机管〔2026〕示例号',
    base_year: 2025,
    end_year: 2030,
    targets: { energy_per_area_kgce_m2: -0.04 },
  },
])[0] as SiteTargetSet;

describe('standard plans (reports/data/targets.yaml)', () => {
  it('十四五: 2021–2025 on base 2020, the four figures each with a source and a verified flag', () => {
    const p = standard.find((x) => x.short === '十四五');
    expect(p).toMatchObject({ id: '14th-five-year', base_year: 2020, end_year: 2025, published: true });
    expect(p?.targets).toEqual({
      energy_per_area_kgce_m2: -0.05,
      energy_per_capita_kgce: -0.06,
      water_per_capita_m3: -0.06,
      carbon_per_area_kgco2_m2: -0.07,
    });
    for (const k of Object.keys(p?.targets ?? {}) as (keyof NonNullable<typeof p>['targets'])[]) {
      expect(p?.target_sources[k]?.source).toContain('十四五');
      expect(typeof p?.target_sources[k]?.verified).toBe('boolean');
    }
    // nobody has checked them against the official PDF: the plan is not verified as a whole
    expect(p?.verified).toBe(false);
    expect(p?.national_base).toEqual({
      energy_per_area_kgce_m2: 18.48,
      energy_per_capita_kgce: 329.56,
      water_per_capita_m3: 21.53,
    });
  });

  it('十五五: a slot for 2026–2030 on base 2025, unpublished, with no figures', () => {
    const p = standard.find((x) => x.short === '十五五');
    expect(p).toMatchObject({ id: '15th-five-year', base_year: 2025, end_year: 2030, published: false });
    expect(p?.targets).toEqual({});
    expect(p?.national_base).toBeUndefined();
    expect(p?.verified).toBe(false);
  });

  it('an unpublished plan with figures, or a figure without a source, is refused naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-plans-'));
    const file = join(dir, 'targets.yaml');
    writeFileSync(
      file,
      'version: 1\nplans:\n  - { id: x, short: 十五五, name: x, source: x, status: unpublished, base_year: 2025, end_year: 2030,\n      targets: { energy_per_area_kgce_m2: { value: -0.05, source: s, verified: false } } }\n',
    );
    expect(() => loadStandardPlans(file)).toThrow(`${file}: plans.0: an unpublished plan carries no targets`);
    writeFileSync(
      file,
      'version: 1\nplans:\n  - { id: x, short: 十四五, name: x, source: x, status: published, base_year: 2020, end_year: 2025,\n      targets: { energy_per_area_kgce_m2: -0.05 } }\n',
    );
    expect(() => loadStandardPlans(file)).toThrow('plans.0.targets.energy_per_area_kgce_m2');
  });
});

describe('the plan of a year', () => {
  it('2021–2025 → 十四五, 2026–2030 → the unpublished 十五五, 2031 → none', () => {
    expect(planForYear(standard, [], 2021)?.short).toBe('十四五');
    expect(planForYear(standard, [], 2025)?.short).toBe('十四五');
    expect(planForYear(standard, [], 2026)).toMatchObject({ short: '十五五', published: false });
    expect(planForYear(standard, [], 2030)?.short).toBe('十五五');
    expect(planForYear(standard, [], 2020)?.short).toBe('十三五');
    expect(planForYear(standard, [], 2031)).toBeNull();
  });

  it('a provincial set for 十五五 in the site file wins for its years and keeps its provenance', () => {
    expect(planForYear(standard, [fujian], 2026)).toMatchObject({
      id: '15th-fujian',
      short: '十五五',
      origin: 'site',
      published: true,
      level: 'provincial',
      stands_for: '15th-five-year',
      targets: { energy_per_area_kgce_m2: -0.04 },
      target_sources: { energy_per_area_kgce_m2: { source: '闽机管〔2026〕示例号', verified: false } },
    });
    expect(planForYear(standard, [fujian], 2025)?.id).toBe('14th-five-year');
  });

  it('by name: the short name or id of a standard plan, or a site set’s id', () => {
    expect(planNamed(standard, [], '十四五')?.id).toBe('14th-five-year');
    expect(planNamed(standard, [], '14th-five-year')?.short).toBe('十四五');
    expect(planNamed(standard, [fujian], '15th-fujian')?.origin).toBe('site');
    expect(planNamed(standard, [], '十六五')).toBeNull();
  });
});
