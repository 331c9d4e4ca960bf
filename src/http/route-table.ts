/**
 * Registers a path's handlers with Fastify, and for every other method the
 * one 405 handler with the route's Allow list; OPTIONS answers 204 + Allow.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { PATCH_TYPES } from '../util/media-types.js';
import { Problem } from '../util/problem.js';
import type { RouteDoc } from './openapi/names.js';

export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown;
export type MethodHandlers = Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', Handler>>;

/** Methods Fastify routes; anything else reaches the not-found handler (405 or 501 there). */
export const ROUTED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Media types a PATCH accepts, for Accept-Patch. */

/** The Allow value for a set of handlers (HEAD with GET, OPTIONS always). */
export function allowOf(handlers: MethodHandlers): string {
  const methods: string[] = [];
  for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    if (!handlers[m]) continue;
    methods.push(m);
    if (m === 'GET') methods.push('HEAD');
  }
  methods.push('OPTIONS');
  return methods.join(', ');
}

/** The 405 problem for a route. */
export function methodNotAllowed(method: string, allow: string): Problem {
  return new Problem('methodNotAllowed', `${method} is not supported here; use one of ${allow}.`, {
    headers: { Allow: allow },
  });
}

export interface RouteOptions {
  /** Accept-Post value when POST is allowed. */
  acceptPost?: string;
  /** Throws (e.g. 404) when the path names nothing, so OPTIONS does not describe what is not there. */
  exists?: (req: FastifyRequest) => void;
  /**
   * Where this path's POST and PUT go instead of `app`: routes that read
   * HTML forms live in a scope of their own with the multipart parser,
   * whose per-request hooks then cost nothing on every other route.
   */
  forms?: FormRoute[];
  /** Which of this path's methods go to `forms`: POST and PUT unless said. */
  formMethods?: readonly FormMethod[];
  /**
   * A POST this path takes although its Allow names none: an HTML form
   * standing for another method (`_method`, see method-override.ts). It
   * reads forms, so it goes with `forms`; it answers 405 itself to any
   * other POST.
   */
  override?: Handler;
  /**
   * The path's Allow list where it differs by path (a collection whose POST
   * is not served: users are created through register), else undefined.
   */
  allowAt?: (path: string) => string | undefined;
  /** The OpenAPI path items of this route, declared beside it (see openapi/document.ts). */
  doc?: RouteDoc;
}

export type FormMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const DEFAULT_FORM_METHODS: readonly FormMethod[] = ['POST', 'PUT'];

/** A route that reads forms, registered later in the forms scope. */
export interface FormRoute {
  method: FormMethod;
  url: string;
  handler: Handler;
}

/** A path registered through `route`, as the OpenAPI document and its tests see it. */
export interface RegisteredRoute {
  /** The Fastify path, e.g. `/api/:collection/:id`. */
  url: string;
  /** The methods with a handler of their own (Allow's, and POST for a form override), upper case. */
  methods: readonly string[];
  /** Whether POST is there only as a form standing for another method (not in Allow). */
  override: boolean;
  doc: RouteDoc | undefined;
}

interface Registered extends RegisteredRoute {
  pattern: RegExp;
  allow: string;
  parametric: boolean;
  allowAt: ((path: string) => string | undefined) | undefined;
}

const registries = new WeakMap<FastifyInstance, Registered[]>();
const fastifyRoutes = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

function registeredFor(app: FastifyInstance, path: string): Registered | undefined {
  const registry = registries.get(app) ?? [];
  // Static paths win over parametric ones, as in the router itself.
  return (
    registry.find((r) => !r.parametric && r.pattern.test(path)) ?? registry.find((r) => r.pattern.test(path))
  );
}

/** The Allow list of the route a path belongs to, for methods Fastify does not route (TRACE, CONNECT). */
export function allowFor(app: FastifyInstance, path: string): string | undefined {
  const match = registeredFor(app, path);
  return match && (match.allowAt?.(path) ?? match.allow);
}

/** The registered route a concrete path belongs to. */
export function routeFor(app: FastifyInstance, path: string): RegisteredRoute | undefined {
  return registeredFor(app, path);
}

/** The paths registered through `route`, in registration order. */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return registries.get(app) ?? [];
}

/** Records every route Fastify is given (call before registering any), for the test that each is documented. */
export function trackRoutes(app: FastifyInstance): void {
  const list: { method: string; url: string }[] = [];
  fastifyRoutes.set(app, list);
  app.addHook('onRoute', (options) => {
    const methods = Array.isArray(options.method) ? options.method : [options.method];
    for (const method of methods) list.push({ method, url: options.url });
  });
}

/** Every method and URL Fastify routes (HEAD included), when `trackRoutes` was called. */
export function routesOf(app: FastifyInstance): readonly { method: string; url: string }[] {
  return fastifyRoutes.get(app) ?? [];
}

function pathOf(req: FastifyRequest): string {
  const url = req.url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Register every routed method of one path. */
export function route(
  app: FastifyInstance,
  path: string,
  handlers: MethodHandlers,
  options: RouteOptions = {},
) {
  const allow = allowOf(handlers);
  const pattern = new RegExp(
    `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '[^/]+')}/?$`,
  );
  const registry = registries.get(app) ?? [];
  const methods = allow.split(', ');
  const override = !handlers.POST && options.override !== undefined;
  if (override) methods.splice(methods.indexOf('OPTIONS'), 0, 'POST');
  registry.push({
    url: path,
    methods,
    override,
    doc: options.doc,
    pattern,
    allow,
    parametric: path.includes(':'),
    allowAt: options.allowAt,
  });
  registries.set(app, registry);
  const allowHere = (req: FastifyRequest) => options.allowAt?.(pathOf(req)) ?? allow;
  for (const method of ROUTED_METHODS) {
    if (method === 'HEAD') continue; // Fastify answers HEAD from the GET route (exposeHeadRoutes).
    let handler: Handler;
    if (method === 'OPTIONS') {
      handler = (req, reply) => {
        options.exists?.(req);
        const here = allowHere(req);
        reply.header('Allow', here);
        if (handlers.PATCH) reply.header('Accept-Patch', PATCH_TYPES);
        if (handlers.POST && options.acceptPost && here.includes('POST')) {
          reply.header('Accept-Post', options.acceptPost);
        }
        return reply.code(204).send();
      };
    } else {
      const own = handlers[method] ?? (method === 'POST' ? options.override : undefined);
      const formMethods = options.formMethods ?? DEFAULT_FORM_METHODS;
      if (own && options.forms && method !== 'GET' && formMethods.includes(method)) {
        options.forms.push({ method, url: path, handler: own });
        continue;
      }
      handler =
        own ??
        ((req) => {
          throw methodNotAllowed(method, allowHere(req));
        });
    }
    app.route({ method: method as HTTPMethods, url: path, handler });
  }
}
