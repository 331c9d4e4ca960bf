/** Checks `routes`: aliases like `"POST /add-book": "POST /api/books"`. */

import { at, type Checker, listWords } from './checker.js';
import type { RouteAlias } from './types.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const ROUTE = /^([A-Za-z]+) +(\S+)$/;
const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
const STATIC_SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=@%-]+$/;
/** Paths Methodical serves itself, which an alias must not hide. */
const OWN_PREFIXES = ['/api', '/_', '/healthz'];
/** Second segments of /api/… that are not collections. */
const API_ROOTS = ['auth', 'files', 'batch', 'openapi.json'];

interface ParsedRoute {
  method: string;
  path: string;
  params: string[];
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

function isOwnPath(path: string): boolean {
  return OWN_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** Validates `routes` against the known collections. */
export function validateRoutes(c: Checker, value: unknown, collections: readonly string[]): RouteAlias[] {
  if (value === undefined) return [];
  const raw = c.object(value, 'routes');
  const aliases: RouteAlias[] = [];
  const seen = new Set<string>();
  for (const [key, target] of Object.entries(raw)) {
    const path = at('routes', key);
    const alias = parseRoute(c, key, path, 'an alias');
    if (isOwnPath(alias.path)) {
      c.fail(path, `an alias cannot take ${alias.path}: /api/, /_/ and /healthz are Methodical's own routes`);
    }
    const id = `${alias.method} ${alias.path}`;
    if (seen.has(id)) c.fail(path, `${id} is aliased twice`);
    seen.add(id);
    const to = parseRoute(c, c.string(target, path), path, 'the target');
    if (to.method !== alias.method) {
      // An alias is a second URL for the same operation, so it keeps the method's meaning.
      c.fail(
        path,
        `the alias and its target must use the same method; found ${alias.method} and ${to.method}`,
      );
    }
    if (!to.path.startsWith('/api/')) c.fail(path, `the target ${to.path} must be an API path under /api/`);
    const root = to.path.split('/')[2];
    if (!root.startsWith(':') && !API_ROOTS.includes(root) && !collections.includes(root)) {
      c.fail(path, `the target names no collection "${root}"; collections are ${listWords(collections)}`);
    }
    const missing = to.params.find((p) => !alias.params.includes(p));
    if (missing !== undefined)
      c.fail(path, `the target uses :${missing}, which the alias path does not define`);
    aliases.push({ method: alias.method, path: alias.path, targetMethod: to.method, targetPath: to.path });
  }
  return aliases;
}
