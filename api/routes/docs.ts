import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router } from 'express';
import type { ApiDocument } from '../openapi/document.ts';
import { noQuery } from '../params.ts';

/** The swagger-ui-dist files the page uses, served from node_modules (no CDN: the site may have no internet). */
const assets: Record<string, string> = {
  '/swagger-ui.css': 'text/css',
  '/index.css': 'text/css',
  '/swagger-ui-bundle.js': 'text/javascript',
  '/swagger-ui-standalone-preset.js': 'text/javascript',
  '/favicon-32x32.png': 'image/png',
  '/favicon-16x16.png': 'image/png',
};

const page = `<!DOCTYPE html>
<html lang="zh-CN">
  <head>
    <meta charset="UTF-8">
    <title>jieneng 节能 API</title>
    <link rel="stylesheet" type="text/css" href="/api/docs/swagger-ui.css" />
    <link rel="stylesheet" type="text/css" href="/api/docs/index.css" />
    <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png" sizes="32x32" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="/api/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="/api/docs/init.js" charset="UTF-8"></script>
  </body>
</html>
`;

// A script file, not inline: the Content-Security-Policy (script-src 'self') allows no inline script.
// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const initializer = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

/**
 * `GET /api/v1/openapi.json` (the OpenAPI 3.1 document) and `GET /api/docs` (Swagger UI over it,
 * its files from node_modules). Paths are absolute: mount with `app.use(docsRoutes(document))`,
 * before the /api fallback. Neither needs credentials: the document describes, it grants nothing.
 */
export function docsRoutes(document: ApiDocument): Router {
  const router = Router();
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  router.get('/api/v1/openapi.json', (req, res) => {
    noQuery(req.query);
    res.json(document);
  });
  router.get('/api/docs', (_req, res) => {
    res.type('text/html').send(page);
  });
  // One route for the page's files: the initializer and an allow-list of swagger-ui-dist's files.
  router.get('/api/docs/*path', (req, res, next) => {
    const file = `/${(req.params as { path: string[] }).path.join('/')}`;
    if (file === '/init.js') return void res.type('text/javascript').send(initializer);
    const type = assets[file];
    if (!type) return next();
    res.type(type).sendFile(join(dist, file.slice(1)), { maxAge: '1d' });
  });
  return router;
}
