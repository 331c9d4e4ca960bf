/**
 * Routes of the config's own (`"GET /books/:id": async (ctx) => …`) in the
 * document: what any of them may answer, since only its handler knows the
 * shape of its body. They share a path item with aliases of the same path.
 */
import type { CustomRoute } from '../../config/types.js';
import { aliasPaths } from './aliases.js';
import { headerRefs, problems } from './components.js';
import { type Json, openApiPath, type RouteDoc, ref } from './names.js';
import { OVERRIDE_CONTROLS } from './override-paths.js';

const PARAM = /^:(.+)$/;
/** A handler's 415 names the types it takes in Accept-Post. */
const POST_415 = { 415: 'UnsupportedPostMediaType' };

function pathParameters(path: string): Json[] {
  return path.split('/').flatMap((segment) => {
    const name = PARAM.exec(segment)?.[1];
    return name === undefined ? [] : [{ name, in: 'path', required: true, schema: { type: 'string' } }];
  });
}

function slug(route: CustomRoute): string {
  return (`${route.method} ${route.path}`.toLowerCase().match(/[a-z0-9]+/g) ?? []).join('_');
}

/** Headers a handler's answer may carry: its validators and caching, and those it sets itself. */
const ANSWER_HEADERS = ['ETag', 'Last-Modified', 'Cache-Control', 'Vary', 'Location', 'Idempotent-Replayed'];

/** The answer of a handler: JSON, an HTML page, or any type it sets; any status it chooses. */
const ANSWER: Json = {
  description: 'What the handler answers: JSON, an HTML page, or a body of the type it sets.',
  headers: headerRefs(...ANSWER_HEADERS),
  content: { 'application/json': {}, 'text/html': {}, '*/*': {} },
};

/** Statuses a handler picks itself: any success, a redirect (ctx.redirect is 303), any problem. */
function handlerAnswers(): Json {
  return {
    200: ANSWER,
    '2XX': { ...ANSWER, description: 'Another success the handler chose (201, 204, …).' },
    '3XX': {
      description: 'A redirect (`ctx.redirect` answers 303 See Other).',
      headers: headerRefs(...ANSWER_HEADERS),
    },
    '4XX': ref('responses', 'HandlerAnswer'),
    '5XX': ref('responses', 'HandlerAnswer'),
  };
}

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
      ...handlerAnswers(),
      304: ref('responses', 'NotModified'),
      ...problems([400, 401, 403, 404, 412, 500]),
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
    ...handlerAnswers(),
    ...problems([400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 500], POST_415),
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

/** A form's POST standing for a handler's PUT, PATCH or DELETE on a path with no POST of its own. */
function overridePost(operationId: string): Json {
  return {
    operationId,
    tags: ['routes'],
    summary: 'An HTML form standing for PUT, PATCH or DELETE',
    description:
      'A form body with `_method` naming one of this path’s methods runs that handler. Not listed in Allow: ' +
      'any other POST is 405.',
    'x-method-override': true,
    'x-methodical-handler': true,
    parameters: [ref('parameters', 'IdempotencyKey')],
    requestBody: {
      required: true,
      content: Object.fromEntries(
        ['application/x-www-form-urlencoded', 'multipart/form-data'].map((type) => [
          type,
          {
            schema: {
              type: 'object',
              required: ['_method'],
              properties: OVERRIDE_CONTROLS,
              additionalProperties: true,
            },
          },
        ]),
      ),
    },
    responses: {
      ...handlerAnswers(),
      ...problems([400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 500], POST_415),
    },
  };
}

/** The doc of one path of the config's `routes`: its aliases and handlers, declared in routes/custom.ts. */
export function configRouteDoc(path: string): RouteDoc {
  return (ctx) => {
    const aliases = aliasPaths(
      ctx.config.routes.filter((alias) => alias.path === path),
      ctx.paths,
      ctx.taken,
    );
    const own = ctx.config.customRoutes.filter((r) => r.path === path);
    const out = { ...aliases, ...customPaths(own, aliases, ctx.taken) } as Record<string, Json>;
    const item = out[openApiPath(path)];
    const overridable = own.some((r) => r.method === 'PUT' || r.method === 'PATCH' || r.method === 'DELETE');
    if (item && overridable && item.post === undefined) {
      const stem = `route_override_${(path.toLowerCase().match(/[a-z0-9]+/g) ?? []).join('_')}`;
      let operationId = stem;
      for (let n = 2; ctx.taken.has(operationId); n++) operationId = `${stem}_${n}`;
      ctx.taken.add(operationId);
      item.post = overridePost(operationId);
    }
    return out;
  };
}
