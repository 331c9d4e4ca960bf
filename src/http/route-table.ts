/**
 * Registers a path's handlers with Fastify, and for every other method the
 * one 405 handler with the route's Allow list; OPTIONS answers 204 + Allow.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { PATCH_TYPES } from '../util/media-types.js';
import { Problem } from '../util/problem.js';

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
}

export type FormMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const DEFAULT_FORM_METHODS: readonly FormMethod[] = ['POST', 'PUT'];

/** A route that reads forms, registered later in the forms scope. */
export interface FormRoute {
  method: FormMethod;
  url: string;
  handler: Handler;
}

interface Registered {
  pattern: RegExp;
  allow: string;
  parametric: boolean;
}

const registries = new WeakMap<FastifyInstance, Registered[]>();

/** The Allow list of the route a path belongs to, for methods Fastify does not route (TRACE, CONNECT). */
export function allowFor(app: FastifyInstance, path: string): string | undefined {
  const registry = registries.get(app) ?? [];
  // Static paths win over parametric ones, as in the router itself.
  const match =
    registry.find((r) => !r.parametric && r.pattern.test(path)) ?? registry.find((r) => r.pattern.test(path));
  return match?.allow;
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
  registry.push({ pattern, allow, parametric: path.includes(':') });
  registries.set(app, registry);
  for (const method of ROUTED_METHODS) {
    if (method === 'HEAD') continue; // Fastify answers HEAD from the GET route (exposeHeadRoutes).
    let handler: Handler;
    if (method === 'OPTIONS') {
      handler = (req, reply) => {
        options.exists?.(req);
        reply.header('Allow', allow);
        if (handlers.PATCH) reply.header('Accept-Patch', PATCH_TYPES);
        if (handlers.POST && options.acceptPost) reply.header('Accept-Post', options.acceptPost);
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
        (() => {
          throw methodNotAllowed(method, allow);
        });
    }
    app.route({ method: method as HTTPMethods, url: path, handler });
  }
}
