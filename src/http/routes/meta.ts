/** `/healthz` and `/api/openapi.json`. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { JSON_TYPE } from '../../util/media-types.js';
import { Problem } from '../../util/problem.js';
import { evaluateRead } from '../conditional.js';
import { requireAcceptable } from '../negotiate.js';
import { openApiDocument } from '../openapi/document.js';
import { serviceDoc } from '../openapi/service-paths.js';
import { jsonRepresentation, sendStored } from '../respond.js';
import { registeredRoutes, route } from '../route-table.js';
import type { Services } from '../services.js';

/** The package's own version (package.json sits three levels up from both src/ and dist/). */
export const VERSION: string = JSON.parse(
  readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
).version;

export function metaRoutes(app: FastifyInstance, services: Services): void {
  route(
    app,
    '/healthz',
    {
      async GET(_req, reply) {
        const health = await checkHealth(services);
        if (health instanceof Problem) throw health;
        reply.header('cache-control', 'no-store');
        return reply.type(JSON_TYPE).send(JSON.stringify(health));
      },
    },
    { doc: serviceDoc('/healthz') },
  );

  let document: { body: string; etag: string } | undefined;
  route(
    app,
    '/api/openapi.json',
    {
      async GET(req, reply) {
        requireAcceptable(req);
        document ??= jsonRepresentation(
          openApiDocument(services.config, services.schema, {
            version: VERSION,
            serverUrl: services.config.publicUrl,
            routes: registeredRoutes(app),
          }),
        );
        const headers = { etag: document.etag, 'cache-control': 'no-cache', vary: 'Accept' };
        if (evaluateRead(req.headers, document.etag, undefined) === 'not-modified') {
          return sendStored(reply, { status: 304, headers, body: '' });
        }
        return sendStored(reply, {
          status: 200,
          headers: { ...headers, 'content-type': JSON_TYPE },
          body: document.body,
        });
      },
    },
    { doc: serviceDoc('/api/openapi.json') },
  );
}

/** What /healthz answers: 200 with what was checked, or a 503 problem saying what cannot work. */
async function checkHealth(services: Services): Promise<Record<string, unknown> | Problem> {
  const retry = { 'Retry-After': '5', 'Cache-Control': 'no-store' };
  let database: Awaited<ReturnType<Services['store']['health']>>;
  try {
    database = await services.store.health();
  } catch {
    return new Problem('unavailable', 'The database does not answer.', {
      headers: retry,
      extra: { database: { readable: false, writable: false } },
    });
  }
  const files = await services.files.health();
  const report = {
    database: { readable: true, writable: database.writable },
    files: { writable: files.writable },
  };
  const trouble = !database.writable
    ? `The database cannot take writes: ${database.detail ?? 'its writes fail'}.`
    : !files.writable
      ? `Uploaded files cannot be stored: ${files.detail ?? 'their writes fail'}.`
      : undefined;
  if (trouble) return new Problem('unavailable', trouble, { headers: retry, extra: report });
  return { status: 'ok', ...report };
}
