import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';

/** Folders that are services: each may import core/ and itself, nothing else. */
export const services = [
  'gateway',
  'collector',
  'control',
  'alarms',
  'reports',
  'api',
  'dashboards',
  'device-sims',
];
/** Composition roots and tooling: may import anything; nothing may import them. */
export const roots = ['cli', 'test', 'bench', 'scripts'];

export type Graph = Map<string, string[]>;

/** Import graph of every .ts file under `dir` (paths relative to it), resolved with TypeScript's own pre-processor. */
export function buildImportGraph(dir: string): Graph {
  const graph: Graph = new Map();
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.startsWith(`node_modules${sep}`) && !f.endsWith('.d.ts'),
  );
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(join(dir, file), 'utf8'), true, true);
    const edges = info.importedFiles
      .map((i) => i.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) =>
        normalize(join(dirname(file), spec))
          .split(sep)
          .join('/'),
      );
    graph.set(file.split(sep).join('/'), edges);
  }
  return graph;
}

const top = (file: string) => file.split('/')[0] ?? '';

/** Every forbidden edge: core importing anything else, a service importing another service or a root. */
export function forbiddenEdges(graph: Graph): string[] {
  const problems: string[] = [];
  for (const [from, tos] of graph) {
    const a = top(from);
    for (const to of tos) {
      const b = top(to);
      if (a === b || roots.includes(a)) continue;
      if (b === 'core' && (services.includes(a) || a === 'core')) continue;
      problems.push(
        `${from} imports ${to}: ${a === 'core' ? 'core/ imports no service' : `${a}/ may import only core/ and itself`}`,
      );
    }
  }
  return problems;
}

/** The protocol folder a file is in (`gateway/protocols/modbus/poller.ts` → modbus), if any. */
function protocolFolder(file: string): string | undefined {
  const parts = file.split('/');
  const at = parts.indexOf('protocols');
  return at >= 0 && parts.length > at + 2 ? parts[at + 1] : undefined;
}

/**
 * Edges from one protocol's folder into another's (in core/ or gateway/): each protocol stands
 * alone, so adding or removing one touches its folders and the registry lines only.
 */
export function crossProtocolEdges(graph: Graph): string[] {
  const problems: string[] = [];
  for (const [from, tos] of graph) {
    const a = protocolFolder(from);
    if (a === undefined) continue;
    for (const to of tos) {
      const b = protocolFolder(to);
      if (b !== undefined && b !== a)
        problems.push(`${from} imports ${to}: protocol ${a} may not depend on protocol ${b}`);
    }
  }
  return problems;
}

/** Import cycles, each as the list of files around it. */
export function cycles(graph: Graph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'visiting') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

export function relativeTo(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}
