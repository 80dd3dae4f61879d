// Writes the sample report docs/examples/intensity-report.pdf and a PNG of each of its pages
// (pdftoppm from poppler-utils, 80 dpi) from the hand-made sample organization in
// reports/render/sampleInput.ts, through the report engine: three buildings, 档案楼's 2025 electricity bill missing, 2025
// against the 2020 baseline. `npx tsx scripts/examples.ts`; review the PNGs before committing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReport } from '../reports/render/render.ts';
import { sampleReport } from '../reports/render/sampleInput.ts';

const dir = 'docs/examples';
mkdirSync(dir, { recursive: true });
const pdf = join(dir, 'intensity-report.pdf');
writeFileSync(pdf, await renderReport(sampleReport({ missingBill: true }), 'pdf'));
for (const old of readdirSync(dir)) if (/^intensity-report-\d+\.png$/.test(old)) rmSync(join(dir, old));
execFileSync('pdftoppm', ['-png', '-r', '80', pdf, join(dir, 'intensity-report')]);
for (const f of readdirSync(dir).sort())
  console.log(`${join(dir, f)}: ${Math.round(statSync(join(dir, f)).size / 1024)} KB`);
