import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { loadSite } from '../../core/config/loadSite.ts';
import { protocols } from '../../core/protocols/index.ts';

/**
 * Each protocol folder documents itself the way Telegraf's plugins do: README.md with the sample
 * config (`sample.yaml`, which must load as part of a site) and a table of every option with its
 * default, generated from the protocol's zod schema. A stale table fails here; run
 * `UPDATE_README=1 npx vitest run gateway/protocols/readme.test.ts` to rewrite it.
 */
const here = dirname(fileURLToPath(import.meta.url));
const update = process.env.UPDATE_README === '1';
const tmp = mkdtempSync(join(tmpdir(), 'jn-protocol-readme-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type JsonProp = {
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonProp[];
};

function allowed(p: JsonProp): string {
  const values = p.enum ?? (p.anyOf?.every((a) => 'const' in a) ? p.anyOf.map((a) => a.const) : undefined);
  return values ? ` One of ${values.map((v) => `\`${String(v)}\``).join(', ')}.` : '';
}

/** A markdown table of an object schema's options: name, default (or required), description. */
function table(schema: z.ZodObject, skip: string[]): string {
  const json = z.toJSONSchema(schema, { io: 'input' }) as {
    properties: Record<string, JsonProp>;
    required?: string[];
  };
  const rows = Object.entries(json.properties)
    .filter(([key]) => !skip.includes(key))
    .map(([key, p]) => {
      const def =
        p.default !== undefined
          ? `\`${typeof p.default === 'string' ? p.default : JSON.stringify(p.default)}\``
          : json.required?.includes(key)
            ? 'required'
            : '—';
      const text = `${p.description ?? ''}${allowed(p)}`.trim().replaceAll('|', '\\|');
      return `| \`${key}\` | ${def} | ${text} |`;
    });
  return ['| option | default | description |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The generated tables of a protocol, by marker: one per connection `protocol:`, and `devices`. */
function tables(p: (typeof protocols)[number]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of p.connections) out[c.shape.protocol.value] = table(c, ['id', 'protocol', 'devices']);
  const devices = p.connections.map((c) => table(c.shape.devices.element as z.ZodObject, []));
  // One device table per protocol: its connections share the device options.
  expect(new Set(devices).size, `${p.name}: connections with different device options`).toBe(1);
  out.devices = devices[0] ?? '';
  return out;
}

const marked = (key: string, body: string) => `<!-- options:${key} -->\n${body}\n<!-- /options -->`;

describe.each(protocols.map((p) => [p.name, p] as const))('protocol folder %s', (name, protocol) => {
  const dir = join(here, name);
  const readmeFile = join(dir, 'README.md');

  it('documents every option with its default, as the schema has it', () => {
    let readme = readFileSync(readmeFile, 'utf8');
    for (const [key, body] of Object.entries(tables(protocol))) {
      const pattern = new RegExp(`<!-- options:${key.replace('.', '\\.')} -->[\\s\\S]*?<!-- /options -->`);
      expect(readme, `README.md of ${name} has no <!-- options:${key} --> table`).toMatch(pattern);
      if (update) readme = readme.replace(pattern, marked(key, body));
      expect(readme.match(pattern)?.[0], `the ${key} table of ${name}/README.md is stale`).toBe(
        marked(key, body),
      );
    }
    if (update) writeFileSync(readmeFile, readme);
  });

  it('shows sample.yaml in its README, and the sample loads as part of a site', () => {
    const sample = readFileSync(join(dir, 'sample.yaml'), 'utf8');
    expect(readFileSync(readmeFile, 'utf8')).toContain(`\`\`\`yaml\n${sample}\`\`\``);
    const site = {
      version: 1,
      site: { id: 'sample', name: 'sample' },
      organization: {
        id: 'org',
        name: 'org',
        buildings: [
          {
            id: 'b1',
            name: 'b1',
            category: 'office',
            climate_zone: 'mild',
            floor_area: [{ from: '2020-01-01', value: 1000 }],
            headcount: [{ from: '2020-01-01', value: 10 }],
          },
        ],
      },
      gateways: [{ id: 'gw', connections: parse(sample) }],
    };
    const file = join(tmp, `${name}.yaml`);
    writeFileSync(file, stringify(site));
    const loaded = loadSite(file);
    const protocolValues = protocol.connections.map((c) => c.shape.protocol.value as string);
    const conns = loaded.config.gateways[0]?.connections ?? [];
    expect(conns.length).toBeGreaterThan(0);
    // A sample shows every connection kind of its protocol, and only those.
    expect(new Set(conns.map((c) => c.protocol))).toEqual(new Set(protocolValues));
  });
});
