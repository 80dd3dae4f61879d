import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { errorCatalog, errorCodes } from '../../core/errors.ts';
import { alarmDocs } from './alarmDocs.ts';
import { assessmentDocs } from './assessmentDocs.ts';
import { authDocs } from './authDocs.ts';
import { openApiPath, pathParams, problemSchema, type RouteDoc } from './common.ts';
import { controlDocs } from './controlDocs.ts';
import { dataDocs } from './dataDocs.ts';
import { deviceDocs } from './deviceDocs.ts';
import { scheduleDocs } from './scheduleDocs.ts';
import { siteDocs } from './siteDocs.ts';
import { statisticsDocs } from './statisticsDocs.ts';

/** The OpenAPI 3.1 document of the API (a plain JSON object: what GET /api/v1/openapi.json sends). */
export type ApiDocument = ReturnType<typeof createDocument>;

/** The document and the docs page describe themselves too: they are routes of the router. */
const docsDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: { zh: '本接口的 OpenAPI 3.1 文档', en: 'This OpenAPI 3.1 document' },
    tag: 'system',
    public: true,
    responses: { 200: { description: 'The document', schema: z.looseObject({ openapi: z.string() }) } },
    errors: [400],
  },
  {
    method: 'GET',
    path: '/api/docs',
    operationId: 'getDocsPage',
    summary: { zh: '接口文档页面', en: 'The API docs page (Swagger UI)' },
    tag: 'system',
    public: true,
    responses: { 200: { description: 'HTML', schema: null, contentType: 'text/html' } },
    errors: [],
  },
  {
    method: 'GET',
    path: '/api/docs/*path',
    operationId: 'getDocsFile',
    summary: { zh: '文档页面的脚本与样式', en: "The docs page's scripts and styles" },
    tag: 'system',
    public: true,
    responses: {
      200: { description: 'init.js and the Swagger UI files', schema: null, contentType: 'text/javascript' },
    },
    errors: [404],
  },
];

/**
 * Every route the document describes. A new route is described where its resource is (one entry
 * in a `*Docs.ts` list); test/apiContract.test.ts fails with the routes of the router that have none.
 */
export function routeDocs(timeZone: string): RouteDoc[] {
  return [
    ...authDocs(),
    ...dataDocs(timeZone),
    ...statisticsDocs(),
    ...assessmentDocs(),
    ...deviceDocs(timeZone),
    ...controlDocs(timeZone),
    ...alarmDocs(timeZone),
    ...scheduleDocs(timeZone),
    ...siteDocs(),
    ...docsDocs,
  ];
}

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The operation object of one route, in zod-openapi's terms. */
function operation(r: RouteDoc): ZodOpenApiOperationObject {
  const responses: ZodOpenApiOperationObject['responses'] = {};
  // Besides each route's own: any request under /api/v1 with a body is read by jsonBody (413 too
  // large, 415 not JSON — a DELETE with a body too), and any route may find a part it needs away
  // (503: control over MQTT, the store) or fail (500). The suite-wide contract check saw all four.
  const systemic = [500, 503, ...(r.public ? [] : [401, 403]), ...(mutating.has(r.method) ? [413, 415] : [])];
  for (const status of [...new Set([...r.errors, ...systemic])].sort()) {
    responses[`${status}` as '400'] = {
      description: errorCodes
        .filter((c) => errorCatalog[c].status === status)
        .map((c) => `${c} (${errorCatalog[c].zh})`)
        .join(', '),
      content: { 'application/problem+json': { schema: problemSchema } },
    };
  }
  for (const [status, a] of Object.entries(r.responses)) {
    const type = a.contentType ?? 'application/json';
    // A file answer (CSV, XLSX) is bytes: documented by its type, with no JSON schema.
    const files = Object.fromEntries((a.files ?? []).map((f) => [f, {}]));
    responses[status as '200'] = {
      description: a.description,
      ...(a.schema === null ? (a.contentType ? { content: { [type]: {}, ...files } } : {}) : {}),
      ...(a.schema ? { content: { [type]: { schema: a.schema }, ...files } } : {}),
    };
  }
  const query =
    r.query === undefined ? undefined : r.query instanceof z.ZodObject ? r.query : z.object(r.query);
  const path = r.params ?? pathParams(r.path);
  return {
    operationId: r.operationId,
    // The Express spelling, so the contract test compares it with the router's list exactly.
    'x-express-path': r.path,
    summary: r.summary.zh,
    description: r.summary.en,
    'x-summary': r.summary,
    tags: [r.tag],
    ...(query || path ? { requestParams: { ...(query ? { query } : {}), ...(path ? { path } : {}) } } : {}),
    ...(r.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } }
      : {}),
    responses,
    security: r.public
      ? []
      : mutating.has(r.method)
        ? [{ bearer: [] }, { session: [], csrf: [] }]
        : [{ bearer: [] }, { session: [] }],
  };
}

/**
 * The OpenAPI 3.1 document, generated from the zod schemas the routes validate with (their queries,
 * path parameters and bodies) and the zod schemas of their answers. `timeZone` is the site's: the
 * date parameters' descriptions name it, as the routes' refusals do.
 */
export function apiDocument(options: { timeZone: string; version?: string }): ApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const r of routeDocs(options.timeZone)) {
    const key = openApiPath(r.path);
    paths[key] = { ...paths[key], [r.method.toLowerCase()]: operation(r) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'jieneng 节能 API',
      version: options.version ?? '1',
      description:
        '公共机构能耗监测与楼宇控制接口。Errors are application/problem+json with a stable `code`; titles (and details where written in both) are Chinese by default, English with `Accept-Language: en`. Timestamps carry the site offset.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token: Authorization: Bearer jn_<id>_<secret>',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'jn_session',
          description: 'Browser session (POST /api/v1/auth/login)',
        },
        csrf: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description:
            'With the session cookie, on every POST, PUT, PATCH and DELETE: the csrf_token of login or /auth/me',
        },
      },
    },
  });
}

/** Every method and path the document describes, in Express's spelling (`/points/:device`). */
export function documentedRoutes(document: ApiDocument): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {}))
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const)
      if (item?.[method])
        out.push({
          method: method.toUpperCase(),
          path:
            (item[method] as { 'x-express-path'?: string })['x-express-path'] ??
            path.replaceAll(/\{([^}]+)\}/g, ':$1'),
        });
  return out;
}
