import { join } from 'node:path';
import Database from 'better-sqlite3';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.ts';
import { HEAD, now, problemsOf, setup, site, xlsx } from './testSupport.ts';

/**
 * The ledger checks what goes in like money (issue 14 §3): one schema per row kind for CSV, XLSX
 * and JSON alike, plausible bounds, encodings detected, Chinese headers and energy-type names
 * read, litres of fuel converted by density, old ledger files still read.
 */
describe('plausibility, the same through CSV, XLSX and JSON', () => {
  const factHead = ['building', 'effective_from', 'floor_area_m2', 'headcount'];
  const bad = [
    ['zonghe-lou', '2025-01-01', 1e308, 420],
    ['fuwu-lou', '2025-01-01', 9400, 1.5],
    ['dangan-lou', '2025-01-01', 3000, 0],
  ];
  const expected = (at: (row: number, col: string) => string) => [
    `${at(0, 'floor_area_m2')}："1e+308"：建筑面积（m²），应大于 0 且不大于 1e7（1000 万 m²，已超过任何院区）`,
    `${at(1, 'headcount')}："1.5"：用能人数应为 1 至 1e6 的整数（站点文件要求人数为正）`,
    `${at(2, 'headcount')}："0"：用能人数应为 1 至 1e6 的整数（站点文件要求人数为正）`,
  ];

  it('refuses floor area 1e308 m², headcount 1.5 and 0 alike', async () => {
    const { ledger, csv, dir } = setup();
    const text = `${factHead.join(',')}\n${bad.map((r) => r.join(',')).join('\n')}\n`;
    expect(await problemsOf(ledger.importFile('facts', csv('f.csv', text), site, now))).toEqual(
      expected((i, c) => `f.csv 第 ${i + 2} 行，${c} 列`),
    );
    const book = await xlsx(
      join(dir, 'f.xlsx'),
      factHead,
      bad.map((r) => [r[0], new Date(`${r[1]}T00:00:00Z`), r[2], r[3]]),
    );
    expect(await problemsOf(ledger.importFile('facts', book, site, now))).toEqual(
      expected((i, c) => `f.xlsx 第 ${i + 2} 行，${c} 列`),
    );
    const json = bad.map((r) => Object.fromEntries(factHead.map((c, k) => [c, r[k]])));
    expect(await problemsOf(() => ledger.enter('facts', json, 'officer', site, now))).toEqual(
      expected((i, c) => `facts[${i}].${c}`),
    );
    expect(ledger.facts()).toEqual([]);
  });

  it('refuses 1e300 kWh, saying the bound', async () => {
    const { ledger, csv, dir } = setup();
    const want = (at: string, shown: string) =>
      `${at}："${shown}"：1e+300 kWh 超过一条记录的上限 1e+9 kWh（约为大型院区年用量的 100 倍）；请核对单位和指数`;
    const file = csv('e.csv', `${HEAD}\nzonghe-lou,2025-01-01,2025-01-31,electricity,1e300,kWh,bill\n`);
    expect(await problemsOf(ledger.importFile('entries', file, site, now))).toEqual([
      want('e.csv 第 2 行，quantity 列', '1e300'),
    ]);
    const book = await xlsx(join(dir, 'e.xlsx'), HEAD.split(','), [
      ['zonghe-lou', '2025-01-01', '2025-01-31', 'electricity', 1e300, 'kWh', 'bill'],
    ]);
    expect(await problemsOf(ledger.importFile('entries', book, site, now))).toEqual([
      want('e.xlsx 第 2 行，quantity 列', '1e+300'),
    ]);
    const item = {
      building: 'zonghe-lou',
      period_start: '2025-01-01',
      period_end: '2025-01-31',
      energy_type: 'electricity',
      quantity: 1e300,
      unit: 'kWh',
      source: 'bill',
    };
    expect(await problemsOf(() => ledger.enter('entries', [item], 'officer', site, now))).toEqual([
      want('entries[0].quantity', '1e+300'),
    ]);
    expect(ledger.entries()).toEqual([]);
  });

  it('refuses impossible dates and unknown keys from the API', async () => {
    const { ledger } = setup();
    const item = {
      building: 'zonghe-lou',
      period_start: '2025-02-01',
      period_end: '2025-02-30',
      energy_type: '电',
      quantity: 1,
      unit: 'kWh',
      source: 'x',
      kwh: 1,
    };
    expect(await problemsOf(() => ledger.enter('entries', [item], 'officer', site, now))).toEqual([
      'entries[0].period_end："2025-02-30"：不是有效日期（2025 年 2 月只有 28 天）',
      'entries[0]：未知的键 kwh；可用的键：building、period_start、period_end、energy_type、quantity、unit、source、cost_yuan',
    ]);
  });
});

describe('dates, each problem saying what is wrong with the date written', () => {
  it('gives the days of the month of the year written, and the forms a date may take', async () => {
    const { ledger, csv } = setup();
    const row = (start: string) => `zonghe-lou,${start},2020-12-31,electricity,1,kWh,bill`;
    const starts = ['2020/2/30', '2021-02-29', '2020-13-01', '45000', '2024-03-01T00:00:00Z', '1999-12-01'];
    const file = csv('d.csv', `${HEAD}\n${starts.map(row).join('\n')}\n`);
    const at = (n: number, v: string) => `d.csv 第 ${n} 行，period_start 列："${v}"：`;
    const plain = '日期应写作 YYYY-MM-DD（或 YYYY/M/D，或 Excel 日期）';
    expect(await problemsOf(ledger.importFile('entries', file, site, now))).toEqual([
      // 2020 is a leap year: 29 days, never "2025-02-30" whatever year was written
      `${at(2, '2020/2/30')}不是有效日期（2020 年 2 月只有 29 天）`,
      `${at(3, '2021-02-29')}不是有效日期（2021 年 2 月只有 28 天）`,
      `${at(4, '2020-13-01')}不是有效日期（没有 13 月）`,
      `${at(5, '45000')}${plain}`,
      `${at(6, '2024-03-01T00:00:00Z')}${plain}`,
      `${at(7, '1999-12-01')}超出 2000-01-01 至 2100-12-31 的范围`,
    ]);
    // The number 45000 (what a date cell formatted as a number holds) likewise, through the API
    const item = { building: 'zonghe-lou', period_start: 45000, period_end: '2020/2/29' };
    const entry = { ...item, energy_type: 'electricity', quantity: 1, unit: 'kWh', source: 'x' };
    expect(await problemsOf(() => ledger.enter('entries', [entry], 'officer', site, now))).toEqual([
      `entries[0].period_start："45000"：${plain}`,
    ]);
  });
});

describe('what officers write', () => {
  it('reads a GBK CSV with Chinese headers and names, its Chinese source intact, and says so', async () => {
    const { ledger, csv } = setup();
    const text =
      '建筑,开始日期,结束日期,能源品种,用量,单位,数据来源,费用(元)\r\n' +
      '综合办公楼,2025/1/1,2025/1/31,电力,"1,500,000",千瓦时,2025年1月国网电费单,"1，200，000"\r\n' +
      'fuwu-lou,2025-01-01,2025-01-31,天然气,3200,立方米,华润燃气1月账单,\r\n';
    const file = csv('gbk.csv', iconv.encode(text, 'gbk'));
    const r = await ledger.importFile('entries', file, site, now);
    expect(r.encoding).toBe('GB18030 (GBK)');
    expect(r.notes).toEqual([
      'gbk.csv 第 2 行，用量（quantity） 列："1,500,000" 读作 1500000（千位分隔符）',
      'gbk.csv 第 2 行，费用(元)（cost_yuan） 列："1，200，000" 读作 1200000（千位分隔符）',
    ]);
    expect(ledger.entries()).toEqual([
      {
        building: 'fuwu-lou',
        period_start: '2025-01-01',
        period_end: '2025-01-31',
        energy_type: 'natural_gas',
        quantity: 3200,
        quantity_given: 3200,
        unit_given: 'm³',
        source: '华润燃气1月账单',
        cost_yuan: null,
      },
      {
        building: 'zonghe-lou',
        period_start: '2025-01-01',
        period_end: '2025-01-31',
        energy_type: 'electricity',
        quantity: 1_500_000,
        quantity_given: 1_500_000,
        unit_given: 'kWh',
        source: '2025年1月国网电费单',
        cost_yuan: 1_200_000,
      },
    ]);
    expect(JSON.stringify(ledger.entries())).not.toContain('\uFFFD');
  });

  it('refuses a file that is neither UTF-8 nor GB18030, and any cell holding U+FFFD', async () => {
    const { ledger, csv } = setup();
    // 0x80 alone is invalid in both; 0xFF 0x00 too
    const junk = csv(
      'junk.csv',
      Buffer.concat([Buffer.from(`${HEAD}\n`), Buffer.from([0x80, 0xff, 0x00, 0x0a])]),
    );
    expect(await problemsOf(ledger.importFile('entries', junk, site, now))).toEqual([
      'junk.csv：既不能按 UTF-8 也不能按 GB18030（GBK）读取；请在 Excel 中另存为"CSV UTF-8（逗号分隔）"（或 XLSX）后重新导入',
    ]);
    const lost = csv(
      'lost.csv',
      `${HEAD}\nzonghe-lou,2025-01-01,2025-01-31,electricity,1,kWh,2025年\uFFFD\uFFFD费单\n`,
    );
    expect(await problemsOf(ledger.importFile('entries', lost, site, now))).toEqual([
      'lost.csv 第 2 行，source 列："2025年\uFFFD\uFFFD费单"：含 U+FFFD（\uFFFD），即文件解码时丢失的字符；请在 Excel 中另存为 CSV UTF-8（或 XLSX）后重新导入',
    ]);
  });

  it('refuses UTF-8 with a broken byte rather than read it as GB18030 mojibake', async () => {
    const { ledger, csv } = setup();
    const good = Buffer.from(
      `${HEAD}\nzonghe-lou,2025-01-01,2025-01-31,electricity,1,kWh,2025年1月国网电费单\n`,
    );
    const broken = Buffer.concat([
      good,
      Buffer.from('zonghe-lou,2025-02-01,2025-02-28,electricity,1,kWh,2月'),
      Buffer.from([0xe7, 0x94]),
      Buffer.from('\n'),
    ]);
    expect(await problemsOf(ledger.importFile('entries', csv('broken.csv', broken), site, now))).toEqual([
      'broken.csv：UTF-8 文件中有不是 UTF-8 的字节（第 3 行）；请在 Excel 中另存为"CSV UTF-8（逗号分隔）"（或 XLSX）后重新导入',
    ]);
  });

  it('converts litres of gasoline and diesel by density and returns the conversion', async () => {
    const { ledger, csv } = setup();
    const file = csv(
      'fuel.csv',
      `${HEAD},cost_yuan\nzonghe-lou,2025-01-01,2025-03-31,汽油,1200,升,公务用车加油记录 Q1,9360\nzonghe-lou,2025-01-01,2025-03-31,diesel,500,L,发电机柴油,\n`,
    );
    await ledger.importFile('entries', file, site, now);
    const [diesel, gasoline] = ledger.entries();
    // 1,200 L × 0.73 kg/L = 876 kg; 500 L × 0.84 kg/L = 420 kg (reports/data/densities.yaml)
    expect(gasoline).toMatchObject({ quantity: 876, quantity_given: 1200, unit_given: 'L', cost_yuan: 9360 });
    expect(gasoline?.conversion).toBe(
      '1200 升 × 0.73 千克/升 = 876 千克（汽油密度：GB 17930-2016《车用汽油》：密度（20 ℃）720–775 kg/m³；0.73 千克/升为 92# 车用汽油常用值，未核对）',
    );
    // What the officer reads in the report is Chinese: no English words in the sources
    expect(diesel?.conversion).toBe(
      '500 升 × 0.84 千克/升 = 420 千克（柴油密度：GB 19147-2016《车用柴油》：密度（20 ℃）810–845 kg/m³（5#、0#、−10#）；0.84 千克/升为 0# 车用柴油常用值，未核对）',
    );
    expect(diesel).toMatchObject({ quantity: 420, unit_given: 'L' });
    // litres are for liquid fuels only
    const gas = csv('gas.csv', `${HEAD}\nzonghe-lou,2025-01-01,2025-03-31,natural_gas,10,L,x\n`);
    expect(await problemsOf(ledger.importFile('entries', gas, site, now))).toEqual([
      'gas.csv 第 2 行，unit 列："L"：天然气的单位为 m³ 或 m3',
    ]);
  });

  it('refuses a unit that is a name of Object.prototype, not reading its function as a factor', async () => {
    const { ledger, csv } = setup();
    const file = csv('p.csv', `${HEAD}\nzonghe-lou,2025-01-01,2025-01-31,electricity,5,constructor,x\n`);
    expect(await problemsOf(ledger.importFile('entries', file, site, now))).toEqual([
      'p.csv 第 2 行，unit 列："constructor"：电力的单位为 kWh 或 MWh',
    ]);
  });

  it('refuses a CSV separated by semicolons or tabs, saying so and how to save it', async () => {
    const { ledger, csv } = setup();
    const fix = '而不是逗号；请在 Excel 中另存为"CSV UTF-8（逗号分隔）"（或 XLSX）后重新导入';
    const semi = csv(
      'semi.csv',
      iconv.encode(
        '建筑;开始日期;结束日期;能源类型;数量;单位;来源\r\n综合办公楼;2025/1/1;2025/1/31;电;1,5;度;x\r\n',
        'gbk',
      ),
    );
    expect(await problemsOf(ledger.importFile('entries', semi, site, now))).toEqual([
      `semi.csv 第 1 行（表头）：列以分号";"分隔，${fix}`,
    ]);
    const tabs = csv('tabs.csv', `\uFEFF${HEAD.replaceAll(',', '\t')}\nzonghe-lou\t2025-01-01\t2025-01-31\n`);
    expect(await problemsOf(ledger.importFile('entries', tabs, site, now))).toEqual([
      `tabs.csv 第 1 行（表头）：列以制表符分隔，${fix}`,
    ]);
  });

  it('refuses a file with a header and no rows', async () => {
    const { ledger, csv } = setup();
    expect(await problemsOf(ledger.importFile('entries', csv('empty.csv', `${HEAD}\n`), site, now))).toEqual([
      'empty.csv：表头下没有数据行，无可导入',
    ]);
  });

  it('refuses a number with a decimal comma, with the hint', async () => {
    const { ledger, csv } = setup();
    const file = csv('c.csv', `${HEAD}\nzonghe-lou,2025-01-01,2025-01-31,electricity,"1,5",kWh,x\n`);
    expect(await problemsOf(ledger.importFile('entries', file, site, now))).toEqual([
      'c.csv 第 2 行，quantity 列："1,5"：应为不小于 0 的数；不写分隔符，或每三位一个千位分隔符（1500000 或 1,500,000），小数用小数点而非逗号',
    ]);
  });

  it('takes a cost to the 分 and refuses a third decimal (a unit price in the cost column), naming the cell', async () => {
    const { ledger, csv } = setup();
    const bad = csv(
      'c.csv',
      `${HEAD},cost_yuan\nzonghe-lou,2025-01-01,2025-01-31,electricity,1000,kWh,电费单,0.625\n`,
    );
    expect(await problemsOf(ledger.importFile('entries', bad, site, now))).toEqual([
      'c.csv 第 2 行，cost_yuan 列："0.625"：金额（元）最多两位小数（到分）；单价请勿填入费用列',
    ]);
    expect(ledger.entries()).toEqual([]);
    // 0.1 + 0.2 yuan as a formula result (0.30000000000000004) is 0.30 yuan, stored as 0.3.
    const r = ledger.enter(
      'entries',
      [
        {
          building: 'zonghe-lou',
          period_start: '2025-01-01',
          period_end: '2025-01-31',
          energy_type: 'electricity',
          quantity: 1000,
          unit: 'kWh',
          source: '电费单',
          cost_yuan: 0.1 + 0.2,
        },
      ],
      'test',
      site,
      now,
    );
    expect(r).toMatchObject({ imported: 1 });
    expect(ledger.entries()).toEqual([expect.objectContaining({ quantity: 1000, cost_yuan: 0.3 })]);
  });

  it('opens a ledger written before cost and conversion were kept', async () => {
    const { dir } = setup();
    const file = join(dir, 'old.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE entries (building TEXT NOT NULL, period_start TEXT NOT NULL, period_end TEXT NOT NULL,
      energy_type TEXT NOT NULL, quantity REAL NOT NULL, quantity_given REAL NOT NULL, unit_given TEXT NOT NULL,
      source TEXT NOT NULL, source_file TEXT NOT NULL, imported_at TEXT NOT NULL,
      PRIMARY KEY (building, energy_type, period_start, period_end));
      INSERT INTO entries VALUES ('zonghe-lou','2020-01-01','2020-12-31','electricity',400000,400,'MWh','2020年电费单','a.csv','2021-01-01');`);
    db.close();
    const ledger = new Ledger(file);
    expect(ledger.entries()).toEqual([
      expect.objectContaining({ quantity: 400_000, quantity_given: 400, unit_given: 'MWh', cost_yuan: null }),
    ]);
    ledger.close();
  });
});
