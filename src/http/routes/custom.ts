/**
 * The config's routes: aliases and handlers of its own, registered
 * together per path, so Allow, OPTIONS and 405 list every method a path
 * has and Fastify never sees a path twice. A safe handler (GET, and HEAD
 * with it) runs outside any transaction and answers with a strong ETag; an
 * unsafe one runs whole inside one write transaction, with the
 * Idempotency-Key claim and its answer stored in it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteHandler } from '../../config/app-types.js';
import type { CustomRoute, RouteMethod } from '../../config/types.js';
import type { StoredResponse } from '../../service/idempotent-write.js';
import { routeRecords } from '../../service/route-records.js';
import { etagOf } from '../../util/etag.js';
import { isPlainObject } from '../../util/is-plain-object.js';
import { Problem } from '../../util/problem.js';
import { evaluateRead } from '../conditional.js';
import { renderAnswer } from '../custom/route-answer.js';
import { isFormRequest, ROUTE_BODY_TYPES, type RouteInput, readRouteInput } from '../custom/route-body.js';
import { HandlerContext } from '../custom/route-context.js';
import { idempotencyClaim } from '../idempotency-claim.js';
import { configRouteDoc } from '../openapi/custom-paths.js';
import { cacheControl } from '../respond.js';
import {
  allowOf,
  type FormRoute,
  type Handler,
  type MethodHandlers,
  methodNotAllowed,
  route,
} from '../route-table.js';
import type { Services } from '../services.js';
import { answerWrite, sendAnswer } from '../write-answer.js';
import { aliasPlaceholders } from './aliases.js';

/** Every unsafe handler reads forms, multipart included. */
const FORM_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * A GET answer's validators and caching: a strong ETag of its body and 304
 * for a revisit; never stored by a cache once it carries an idempotency key
 * (a cached copy would resubmit an old key), private when the caller signed in.
 */
function readAnswer(req: FastifyRequest, answer: StoredResponse, keyIssued: boolean): StoredResponse {
  const headers = { ...answer.headers };
  if (keyIssued) headers['cache-control'] = 'no-store';
  else headers['cache-control'] ??= cacheControl(req);
  if (answer.status < 200 || answer.status >= 300) return { ...answer, headers };
  headers.etag ??= etagOf(answer.body);
  if (answer.status !== 200) return { ...answer, headers };
  const decision = evaluateRead(req.headers, headers.etag, headers['last-modified']);
  if (decision === 'precondition-failed') {
    throw new Problem('preconditionFailed', 'The page does not match the request preconditions.');
  }
  if (decision === 'not-modified') {
    const { 'content-type': _type, ...kept } = headers;
    return { status: 304, headers: kept, body: '' };
  }
  return { ...answer, headers };
}

/** The fingerprint's body: a form's `_method` counts, so a POST and the PUT it stands for never share a key. */
function fingerprinted(body: unknown, method: string, requested: string): unknown {
  if (method === requested) return body;
  if (isPlainObject(body)) return { ...body, _method: method };
  return { _method: method, body };
}

export function configRoutes(app: FastifyInstance, services: Services, forms: FormRoute[]): void {
  const { config, writer } = services;
  const deps = { schema: services.schema, reader: services.reader, writer, limits: config.limits };

  function safe(handler: RouteHandler): Handler {
    return async (req, reply) => {
      const records = routeRecords(deps, req.ctx, null);
      const ctx = new HandlerContext({
        req,
        method: req.method,
        body: undefined,
        ifMatch: undefined,
        records,
        tx: null,
      });
      const answer = renderAnswer(await handler(ctx));
      return sendAnswer(reply, readAnswer(req, answer, ctx.keyIssued));
    };
  }

  async function runUnsafe(
    req: FastifyRequest,
    reply: FastifyReply,
    handler: RouteHandler,
    method: string,
    input: RouteInput,
    ifMatch: string | undefined,
  ) {
    const body = fingerprinted(input.body ?? null, method, req.method);
    const claim = idempotencyClaim(req, body, false, input.idempotencyKey);
    return answerWrite(services, req, reply, {
      claim,
      async write(scope) {
        const records = routeRecords(deps, req.ctx, scope);
        const tx = writer.systemTx(scope);
        const ctx = new HandlerContext({ req, method, body: input.body, ifMatch, records, tx });
        const answer = renderAnswer(await handler(ctx));
        if (ctx.keyIssued) answer.headers['cache-control'] = 'no-store';
        return answer;
      },
    });
  }

  function unsafe(handler: RouteHandler, method: RouteMethod): Handler {
    return async (req, reply) => {
      const input = await readRouteInput(req, config.limits);
      return runUnsafe(req, reply, handler, method, input, req.headers['if-match'] ?? input.etag);
    };
  }

  /** POST on a path with handlers: its own handler, or the PUT, PATCH or DELETE a form's `_method` names. */
  function post(own: Map<RouteMethod, RouteHandler>, allow: string): Handler {
    const handler = own.get('POST');
    return async (req, reply) => {
      if (!handler && !isFormRequest(req)) throw methodNotAllowed('POST', allow);
      const input = await readRouteInput(req, config.limits);
      const override = input.override;
      if (override) {
        const target = own.get(override.method);
        if (!target) throw methodNotAllowed(override.method, allow);
        const ifMatch = req.headers['if-match'] ?? override.etag;
        return runUnsafe(req, reply, target, override.method, input, ifMatch);
      }
      if (!handler) throw methodNotAllowed('POST', allow);
      return runUnsafe(req, reply, handler, 'POST', input, req.headers['if-match'] ?? input.etag);
    };
  }

  const paths = aliasPlaceholders(config.routes);
  const owned = new Map<string, Map<RouteMethod, RouteHandler>>();
  for (const custom of config.customRoutes) {
    const own = owned.get(custom.path) ?? new Map<RouteMethod, RouteHandler>();
    own.set(custom.method, custom.handler);
    owned.set(custom.path, own);
    paths.set(custom.path, { ...paths.get(custom.path), [custom.method]: handlerFor(custom) });
  }

  function handlerFor(custom: CustomRoute): Handler {
    return custom.method === 'GET' ? safe(custom.handler) : unsafe(custom.handler, custom.method);
  }

  for (const [path, handlers] of paths) {
    const own = owned.get(path);
    const doc = configRouteDoc(path);
    if (own === undefined) {
      route(app, path, handlers, { doc });
      continue;
    }
    const allow = allowOf(handlers);
    const overridable = own.has('PUT') || own.has('PATCH') || own.has('DELETE');
    const dispatch = own.has('POST') || overridable ? post(own, allow) : undefined;
    const all: MethodHandlers = own.has('POST') ? { ...handlers, POST: dispatch } : handlers;
    route(app, path, all, {
      acceptPost: own.has('POST') ? ROUTE_BODY_TYPES : undefined,
      forms,
      formMethods: FORM_METHODS,
      override: own.has('POST') ? undefined : dispatch,
      doc,
    });
  }
}
