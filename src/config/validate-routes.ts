/**
 * Checks `routes`: aliases like `"POST /add-book": "POST /api/books"`, and
 * in a TS/JS config handlers of the config's own, like
 * `"GET /books/:id": async (ctx) => …`.
 */

import type { RouteHandler } from './app-types.js';
import { at, type Checker, listWords } from './checker.js';
import type { CustomRoute, RouteAlias, RouteMethod } from './types.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const ROUTE = /^([A-Za-z]+) +(\S+)$/;
const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
const STATIC_SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=@%-]+$/;
/** Paths Methodical serves itself, which an alias must not hide. */
const OWN_PREFIXES = ['/api', '/_', '/healthz'];
/** Paths no handler may take: the admin page and the health check. */
const SYSTEM_PREFIXES = ['/_', '/healthz'];
/** Second segments of /api/… that are not collections. */
const API_ROOTS = ['auth', 'files', 'batch', 'openapi.json'];

interface ParsedRoute {
  method: string;
  path: string;
  params: string[];
}

export interface ValidRoutes {
  aliases: RouteAlias[];
  handlers: CustomRoute[];
}

function parseRoute(c: Checker, text: string, path: string, role: string): ParsedRoute {
  const shape = `${role} must look like "POST /add-book": a method (${listWords(METHODS)}), a space and a path`;
  const match = ROUTE.exec(text.trim());
  if (match === null) return c.fail(path, `${shape}; found ${JSON.stringify(text)}`);
  const method = match[1].toUpperCase();
  if (!METHODS.includes(method)) c.fail(path, `${shape}; "${match[1]}" is not one of those methods`);
  const routePath = match[2];
  const params: string[] = [];
  const segments = routePath === '/' ? [] : routePath.split('/').slice(1);
  if (!routePath.startsWith('/') || segments.some((s) => s === '')) {
    c.fail(path, `${role} path ${JSON.stringify(routePath)} must start with "/" and have no empty segments`);
  }
  for (const segment of segments) {
    const param = PARAM.exec(segment);
    if (param !== null) {
      if (params.includes(param[1])) c.fail(path, `${role} path names the parameter :${param[1]} twice`);
      params.push(param[1]);
    } else if (!STATIC_SEGMENT.test(segment)) {
      c.fail(path, `${role} path segment ${JSON.stringify(segment)} is neither plain text nor a :parameter`);
    }
  }
  return { method, path: routePath, params };
}

function under(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** Why a handler cannot take this path (one the API or Methodical serves itself), or undefined. */
function reservedFor(path: string): string | undefined {
  if (under(path, SYSTEM_PREFIXES)) return '/_/ and /healthz are Methodical’s own routes';
  const segments = path.split('/').slice(1);
  if (segments[0] !== 'api') return undefined;
  const api = 'under /api/ a route of your own needs three or more segments, like /api/workouts/summary';
  if (segments.length < 3) return `${api}; /api and /api/{collection} are the API’s own`;
  if (segments[1].startsWith(':'))
    return `${api}, whose second segment is a collection name, not a parameter`;
  if (API_ROOTS.includes(segments[1])) return `/api/${segments[1]}/ is the API’s own`;
  if (segments.length === 3 && segments[2].startsWith(':')) {
    return `/api/${segments[1]}/${segments[2]} is the API’s record route; name the last segment, like /api/${segments[1]}/summary`;
  }
  return undefined;
}

function checkAlias(
  c: Checker,
  path: string,
  alias: ParsedRoute,
  target: unknown,
  collections: readonly string[],
) {
  if (under(alias.path, OWN_PREFIXES)) {
    c.fail(path, `an alias cannot take ${alias.path}: /api/, /_/ and /healthz are Methodical's own routes`);
  }
  if (typeof target !== 'string') {
    c.expected(path, 'a string (an API route like "POST /api/books") or a handler function', target);
  }
  const to = parseRoute(c, c.string(target, path), path, 'the target');
  if (to.method !== alias.method) {
    // An alias is a second URL for the same operation, so it keeps the method's meaning.
    c.fail(path, `the alias and its target must use the same method; found ${alias.method} and ${to.method}`);
  }
  if (!to.path.startsWith('/api/')) c.fail(path, `the target ${to.path} must be an API path under /api/`);
  const root = to.path.split('/')[2];
  if (!root.startsWith(':') && !API_ROOTS.includes(root) && !collections.includes(root)) {
    c.fail(path, `the target names no collection "${root}"; collections are ${listWords(collections)}`);
  }
  const missing = to.params.find((p) => !alias.params.includes(p));
  if (missing !== undefined)
    c.fail(path, `the target uses :${missing}, which the alias path does not define`);
  return { method: alias.method, path: alias.path, targetMethod: to.method, targetPath: to.path };
}

function checkHandler(c: Checker, path: string, route: ParsedRoute, handler: RouteHandler): CustomRoute {
  if (c.file.endsWith('.json')) {
    c.fail(
      path,
      'a route handler needs a TS or JS config (methodical.config.ts); JSON cannot hold functions',
    );
  }
  if (route.method === 'HEAD') {
    c.fail(path, `HEAD is answered by the GET handler of a path; write "GET ${route.path}" instead`);
  }
  const reserved = reservedFor(route.path);
  if (reserved !== undefined) c.fail(path, `a route of your own cannot take ${route.path}: ${reserved}`);
  return { method: route.method as RouteMethod, path: route.path, handler };
}

/** Validates `routes` against the known collections. */
export function validateRoutes(c: Checker, value: unknown, collections: readonly string[]): ValidRoutes {
  const out: ValidRoutes = { aliases: [], handlers: [] };
  if (value === undefined) return out;
  const raw = c.object(value, 'routes');
  const seen = new Set<string>();
  /** One spelling per path, so every route of it registers the same Fastify path. */
  const spellings = new Map<string, string>();
  for (const [key, target] of Object.entries(raw)) {
    const path = at('routes', key);
    c.collect(undefined, () => {
      const isHandler = typeof target === 'function';
      const route = parseRoute(c, key, path, isHandler ? 'a route' : 'an alias');
      const shape = route.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ':');
      // HEAD comes with GET, so the two are one method here.
      const id = `${route.method === 'HEAD' ? 'GET' : route.method} ${shape}`;
      if (seen.has(id)) c.fail(path, `${route.method} ${route.path} is routed twice`);
      seen.add(id);
      const spelling = spellings.get(shape);
      if (spelling !== undefined && spelling !== route.path) {
        c.fail(
          path,
          `${route.path} and ${spelling} are one path: name its parameters the same in every route`,
        );
      }
      spellings.set(shape, route.path);
      if (isHandler) out.handlers.push(checkHandler(c, path, route, target as RouteHandler));
      else out.aliases.push(checkAlias(c, path, route, target, collections));
    });
  }
  return out;
}
