// Rewrites core/config/testcases/*/expected.txt from the current output. Review the diff before committing.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../cli/main.ts';

const dir = 'core/config/testcases';
for (const name of readdirSync(dir)) {
  let out = '';
  const code = await main(['config', 'check', join(dir, name, 'site.yaml')], {
    out: (t) => (out += t),
    err: (t) => (out += t),
  });
  writeFileSync(join(dir, name, 'expected.txt'), `exit ${code}\n${out}`);
}
