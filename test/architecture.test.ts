import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildImportGraph,
  crossProtocolEdges,
  cycles,
  forbiddenEdges,
  type Graph,
  roots,
  services,
} from './architecture.ts';

describe('architecture', () => {
  const graph = buildImportGraph('.');

  it('has every service folder and core/', () => {
    for (const dir of ['core', ...services]) expect(existsSync(dir), `${dir}/ exists`).toBe(true);
    expect(graph.size).toBeGreaterThan(30);
  });

  it('type-checks every folder: each service and root is in tsconfig.json', () => {
    // reports/ once sat outside "include": tsc passed while its files did not type-check.
    const include = (JSON.parse(readFileSync('tsconfig.json', 'utf8')) as { include: string[] }).include;
    const folders = ['core', ...services, ...roots].filter((d) => existsSync(d));
    expect(folders.filter((d) => !include.includes(d))).toEqual([]);
  });

  it('keeps dependencies one way: services import only core/, core/ imports no service', () => {
    expect(forbiddenEdges(graph)).toEqual([]);
  });

  it('keeps each protocol folder independent of the others', () => {
    expect(crossProtocolEdges(graph)).toEqual([]);
    const bad: Graph = new Map([
      [
        'gateway/protocols/bacnet/driver.ts',
        ['gateway/protocols/modbus/plan.ts', 'gateway/protocols/driver.ts'],
      ],
      ['core/protocols/bacnet/profile.ts', ['core/protocols/common.ts', 'core/protocols/opcua/profile.ts']],
    ]);
    expect(crossProtocolEdges(bad)).toEqual([
      'gateway/protocols/bacnet/driver.ts imports gateway/protocols/modbus/plan.ts: protocol bacnet may not depend on protocol modbus',
      'core/protocols/bacnet/profile.ts imports core/protocols/opcua/profile.ts: protocol bacnet may not depend on protocol opcua',
    ]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('catches a service importing another service, core importing a service, and a cycle', () => {
    const bad: Graph = new Map([
      ['gateway/a.ts', ['collector/b.ts', 'core/c.ts']],
      ['collector/b.ts', []],
      ['core/c.ts', ['api/d.ts']],
      ['api/d.ts', ['api/e.ts']],
      ['api/e.ts', ['api/d.ts']],
    ]);
    expect(forbiddenEdges(bad)).toEqual([
      'gateway/a.ts imports collector/b.ts: gateway/ may import only core/ and itself',
      'core/c.ts imports api/d.ts: core/ imports no service',
    ]);
    expect(cycles(bad)).toEqual([['api/d.ts', 'api/e.ts', 'api/d.ts']]);
  });
});
