import { readFileSync } from 'node:fs';
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { JnError } from '../errors.ts';

/** One thing wrong with a config or profile file, located as precisely as the file allows. */
export interface ConfigProblem {
  file: string;
  /** Path inside the document, e.g. `gateways[0].connections[0].devices[1].id`; empty for the whole file. */
  path: string;
  line?: number;
  column?: number;
  /** The offending value as written, when there is one. */
  value?: string;
  message: string;
}

/** Thrown when a file cannot be used; carries every problem found, not just the first. */
export class ConfigError extends JnError {
  readonly problems: ConfigProblem[];
  /** `structure`: the file did not parse or fit the schema, so references between entries were not checked yet. */
  readonly stage: 'structure' | 'references';
  constructor(problems: ConfigProblem[], stage: 'structure' | 'references' = 'structure') {
    super('config_invalid', `${problems.length} problem(s) in configuration:\n${formatProblems(problems)}`);
    this.problems = problems;
    this.stage = stage;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? String(seg) : `.${String(seg)}`))
    .join('');
}

/** `file:line:col path: value — message`, one problem per line. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems
    .map((p) => {
      const pos = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
      const where = p.path ? ` ${p.path}` : '';
      const value = p.value === undefined ? '' : ` = ${p.value}`;
      return `${pos}${where}${value}: ${p.message}`;
    })
    .join('\n');
}

/** A parsed YAML file that can locate paths in its own text. */
export class YamlSource {
  readonly doc: Document;
  private readonly lines = new LineCounter();
  readonly problems: ConfigProblem[] = [];

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const err of this.doc.errors) {
      const pos = this.lines.linePos(err.pos[0]);
      this.problems.push({
        file,
        path: '',
        line: pos.line,
        column: pos.col,
        message: `YAML syntax: ${err.message.split('\n')[0]}`,
      });
    }
  }

  static read(file: string): YamlSource {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([{ file, path: '', message: `cannot read file: ${(err as Error).message}` }]);
    }
    return new YamlSource(file, text);
  }

  toJS(): unknown {
    return this.doc.toJS();
  }

  /** A problem at `path`, with the line, column and the value as written in the file. */
  problemAt(path: readonly PropertyKey[], message: string, key?: string): ConfigProblem {
    const segs = path.map((s) => (typeof s === 'symbol' ? String(s) : s));
    let node: unknown = this.doc.getIn(segs, true);
    if (key !== undefined && isMap(node)) {
      node = node.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key;
    }
    // A missing key has no node of its own: point at the nearest existing parent.
    for (let n = segs.length - 1; node === undefined && n >= 0; n--)
      node = this.doc.getIn(segs.slice(0, n), true);
    const problem: ConfigProblem = {
      file: this.file,
      path: formatPath(key === undefined ? path : [...path, key]),
      message,
    };
    if (isNode(node) && node.range) {
      const pos = this.lines.linePos(node.range[0]);
      problem.line = pos.line;
      problem.column = pos.col;
      if (isScalar(node) && key === undefined) problem.value = JSON.stringify(node.value);
    }
    return problem;
  }

  /** Turns zod issues into located problems that say what is allowed. */
  fromZod(error: z.ZodError, schema: z.ZodType): ConfigProblem[] {
    return error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const allowed = allowedKeys(schema, issue.path).join(', ');
        return issue.keys.map((key) =>
          this.problemAt(issue.path, `unknown key "${key}"; allowed here: ${allowed}`, key),
        );
      }
      return [this.problemAt(issue.path, describeIssue(issue))];
    });
  }
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  element?: { _zod: { def: SchemaDef } };
  innerType?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
  options?: { _zod: { def: SchemaDef } }[];
}

/** The keys the schema accepts for the object at `path` (walks zod's definitions; unions merge their options). */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let defs: SchemaDef[] = [(schema as unknown as { _zod: { def: SchemaDef } })._zod.def];
  const unwrap = (d: SchemaDef): SchemaDef[] => {
    const inner = d.innerType ?? d.in;
    if (inner) return unwrap(inner._zod.def);
    if (d.options) return d.options.flatMap((o) => unwrap(o._zod.def));
    return [d];
  };
  for (const seg of path) {
    defs = defs.flatMap(unwrap).flatMap((d): SchemaDef[] => {
      if (typeof seg === 'number' && d.element) return [d.element._zod.def];
      const child = d.shape?.[String(seg)] as { _zod: { def: SchemaDef } } | undefined;
      return child ? [child._zod.def] : [];
    });
  }
  const keys = new Set(defs.flatMap(unwrap).flatMap((d) => Object.keys(d.shape ?? {})));
  return [...keys];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // A schema's own message (e.g. durations: "needs a unit") says more than the generic one.
      if (issue.input !== undefined && !issue.message.startsWith('Invalid input')) return issue.message;
      return issue.input === undefined
        ? `required: expected ${issue.expected}`
        : `expected ${issue.expected}, got ${typeName(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `too small: must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}${issue.origin === 'array' ? ' item(s)' : ''}`;
    case 'too_big':
      return `too big: must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
