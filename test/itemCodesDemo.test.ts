import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { loadSite } from '../core/config/loadSite.ts';

describe('the demo site (examples/demo-site.yaml)', () => {
  it('codes every meter with its 分项编码 and checks clean', async () => {
    const site = loadSite('examples/demo-site.yaml');
    expect(site.config.meters.filter((m) => m.item_code === undefined).map((m) => m.id)).toEqual([]);
    let out = '';
    const code = await main(['config', 'check', 'examples/demo-site.yaml'], {
      out: (t) => (out += t),
      err: (t) => (out += t),
    });
    expect(out).toMatch(/^examples\/demo-site\.yaml: valid — site "fz-demo", .* 18 meter\(s\)/);
    expect(out).not.toContain('warning');
    expect(code).toBe(0);
  });
});
