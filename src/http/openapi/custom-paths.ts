/**
 * Routes of the config's own (`"GET /books/:id": async (ctx) => …`) in the
 * document: what any of them may answer, since only its handler knows the
 * shape of its body. They share a path item with aliases of the same path.
 */
import type { CustomRoute } from '../../config/types.js';
import { problems } from './components.js';
import { type Json, openApiPath, ref } from './names.js';

const PARAM = /^:(.+)$/;

function pathParameters(path: string): Json[] {
  return path.split('/').flatMap((segment) => {
    const name = PARAM.exec(segment)?.[1];
    return name === undefined ? [] : [{ name, in: 'path', required: true, schema: { type: 'string' } }];
  });
}

function slug(route: CustomRoute): string {
  return (`${route.method} ${route.path}`.toLowerCase().match(/[a-z0-9]+/g) ?? []).join('_');
}

/** The answer of a handler: JSON, or an HTML page; any status it chooses. */
const ANSWER: Json = {
  description: 'What the handler answers: JSON, or an HTML page.',
  content: { 'application/json': {}, 'text/html': {} },
};

function operation(route: CustomRoute, operationId: string): Json {
  const safe = route.method === 'GET';
  const op: Json = {
    operationId,
    tags: ['routes'],
    summary: `${route.method} ${route.path}`,
    description: safe
      ? 'A route of the config’s own. Its answers carry a strong ETag, so a revisit with If-None-Match gets 304.'
      : 'A route of the config’s own, run in one transaction: a failure writes nothing. ' +
        'Takes an Idempotency-Key (or a form’s `_idempotency_key`).',
    'x-methodical-handler': true,
  };
  if (safe) {
    op.parameters = [ref('parameters', 'IfNoneMatch')];
    op.responses = {
      200: ANSWER,
      304: ref('responses', 'NotModified'),
      ...problems([400, 401, 403, 404, 500]),
    };
    return op;
  }
  op.parameters = [ref('parameters', 'IdempotencyKey')];
  op.requestBody = {
    required: false,
    content: {
      'application/json': {},
      'application/x-www-form-urlencoded': {},
      'multipart/form-data': {},
    },
  };
  op.responses = {
    200: ANSWER,
    ...problems([400, 401, 403, 404, 409, 412, 415, 422, 500]),
  };
  return op;
}

/** Path items for the custom routes, merged into `paths`; `taken` holds operation ids in use and is extended. */
export function customPaths(routes: readonly CustomRoute[], paths: Json, taken: Set<string>): Json {
  const out: Record<string, Json> = {};
  for (const route of routes) {
    const stem = `route_${slug(route)}`;
    let operationId = stem;
    for (let n = 2; taken.has(operationId); n++) operationId = `${stem}_${n}`;
    taken.add(operationId);
    const path = openApiPath(route.path);
    const item: Json = out[path] ?? { ...((paths[path] as Json | undefined) ?? {}) };
    const parameters = pathParameters(route.path);
    if (parameters.length > 0 && item.parameters === undefined) item.parameters = parameters;
    item[route.method.toLowerCase()] = operation(route, operationId);
    out[path] = item;
  }
  return out;
}
