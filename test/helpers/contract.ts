import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ApiDocument } from '../../api/openapi/document.ts';
import type { RecordedResponse } from '../../api/openapi/record.ts';

/** JSON pointer escaping of one segment (`/` → `~1`, `~` → `~0`). */
const esc = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

/** The document path (`/api/v1/points/{device}`) an answer belongs to: its route, else matched by its path. */
export function documentPath(doc: ApiDocument, r: RecordedResponse): string | undefined {
  const paths = Object.keys(doc.paths ?? {});
  if (r.route) {
    const p = r.route.replaceAll(/:([A-Za-z_]+)/g, '{$1}');
    if (paths.includes(p)) return p;
  }
  // Literal paths before templated ones: /schedules/preview is not /schedules/{id}.
  const ordered = [...paths].sort((a, b) => a.split('{').length - b.split('{').length || b.length - a.length);
  return ordered.find((p) => {
    const re = new RegExp(`^${p.replaceAll(/\{[^}]+\}/g, '[^/]+')}$`);
    return re.test(r.path) && doc.paths?.[p]?.[r.method.toLowerCase() as 'get'] !== undefined;
  });
}

/**
 * Validates recorded answers against the document with ajv (JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1, with formats): each JSON body against the schema of its status and content type.
 * Returns one line per problem: an answer whose route, status or content type the document does
 * not describe, or whose body does not fit.
 */
export function checkRecorded(doc: ApiDocument, recorded: RecordedResponse[]): string[] {
  // strict off: the document is an OpenAPI object around the schemas (openapi, info, paths …).
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema(doc as object, 'openapi.json');
  const problems: string[] = [];
  for (const r of recorded) {
    const what = `${r.method} ${r.path} → ${r.status}`;
    const path = documentPath(doc, r);
    if (!path) {
      problems.push(`${what}: not in the document`);
      continue;
    }
    const method = r.method.toLowerCase();
    type Operation = { responses?: Record<string, { content?: Record<string, unknown> }> };
    const item = (doc.paths?.[path] ?? {}) as Record<string, Operation | undefined>;
    const responses = item[method]?.responses;
    const answer = responses?.[String(r.status)];
    if (!answer) {
      problems.push(
        `${what}: status ${r.status} not documented (documented: ${Object.keys(responses ?? {}).join(', ')})`,
      );
      continue;
    }
    const type = (r.content_type ?? '').split(';')[0]?.trim() ?? '';
    if (r.body === null || !/json/.test(type)) continue; // files, HTML, streams, no content
    if (!answer.content?.[type]) {
      problems.push(`${what}: content type ${type} not documented`);
      continue;
    }
    const ref = `openapi.json#/paths/${esc(path)}/${method}/responses/${r.status}/content/${esc(type)}/schema`;
    const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
    if (!validate(r.body))
      problems.push(
        `${what}: body does not fit the document: ${ajv.errorsText(validate.errors)} — ${JSON.stringify(r.body).slice(0, 300)}`,
      );
  }
  return problems;
}
