/**
 * Route aliases from the config (`POST /add-book` → `POST /api/books`). A
 * request to an alias is rewritten to its target before routing, so it is
 * the API route in every respect (Location, idempotency scope, rules).
 * Other methods on an alias path get the usual 405 with its Allow list,
 * except a form's POST standing for one of the path's methods.
 */
import type { RouteAlias } from '../../config/types.js';
import type { MethodHandlers } from '../route-table.js';

interface CompiledAlias {
  method: string;
  pattern: RegExp;
  params: string[];
  target: string;
}

function compile(alias: RouteAlias): CompiledAlias {
  const params: string[] = [];
  const source = alias.path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        params.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { method: alias.method, pattern: new RegExp(`^${source}/?$`), params, target: alias.targetPath };
}

/** Methods an HTML form may stand for with `_method`, so a form POST to their alias path goes where they go. */
const OVERRIDABLE: ReadonlySet<string> = new Set(['PUT', 'PATCH', 'DELETE']);

/** The target path of `alias` for `path`, or undefined when the path is not the alias's. */
function targetOf(alias: CompiledAlias, path: string): string | undefined {
  const match = alias.pattern.exec(path);
  if (!match) return undefined;
  const values = new Map(alias.params.map((name, i) => [name, match[i + 1]]));
  return alias.target.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => values.get(name) ?? '');
}

/**
 * A `rewriteUrl` function for Fastify: the target URL of an alias, or the
 * URL unchanged. A POST to the path of a PUT, PATCH or DELETE alias (and no
 * POST alias of its own) goes to that alias's target, still a POST: a form
 * standing for the method with `_method` (record-override.ts).
 */
export function aliasRewriter(aliases: readonly RouteAlias[]): (method: string, url: string) => string {
  const compiled = aliases.map(compile);
  const overridable = compiled.filter((alias) => OVERRIDABLE.has(alias.method));
  return (method, url) => {
    if (compiled.length === 0) return url;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    let target: string | undefined;
    for (const alias of compiled) {
      if (alias.method !== method && !(method === 'HEAD' && alias.method === 'GET')) continue;
      target = targetOf(alias, path);
      if (target !== undefined) break;
    }
    if (target === undefined && method === 'POST') {
      for (const alias of overridable) {
        target = targetOf(alias, path);
        if (target !== undefined) break;
      }
    }
    if (target === undefined) return url;
    return q === -1 ? target : target + url.slice(q);
  };
}

/**
 * The handlers of alias paths, by path, for 405 and OPTIONS (their own
 * methods never reach them: they are rewritten). A path may also have
 * handlers of the config's own: routes/custom.ts registers both together.
 */
export function aliasPlaceholders(aliases: readonly RouteAlias[]): Map<string, MethodHandlers> {
  const byPath = new Map<string, MethodHandlers>();
  for (const alias of aliases) {
    const handlers = byPath.get(alias.path) ?? {};
    const method = alias.method === 'HEAD' ? 'GET' : alias.method;
    handlers[method as keyof MethodHandlers] = () => {
      throw new Error('alias requests are rewritten before routing');
    };
    byPath.set(alias.path, handlers);
  }
  return byPath;
}
