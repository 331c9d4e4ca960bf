/**
 * Cache-Control for reads (HTTP.md, Validators, conditional requests,
 * caching): `no-cache` (revalidate with the ETag) by default; a collection's
 * `cache` settings let shared caches (nginx, Varnish, a CDN) keep its public
 * reads for a while; anything that depends on the caller is
 * `private, no-cache`, whatever the collection says.
 */
import type { FastifyRequest } from 'fastify';
import type { CollectionDef, RuleOperation } from '../schema/types.js';
import { ruleUsesCaller } from '../service/rules.js';
import { SESSION_COOKIE } from './plugins/auth.js';

export const PRIVATE = 'private, no-cache';
export const REVALIDATE = 'no-cache';

/** The collection and operation a read answers for, when it is one. */
export interface ReadOf {
  def: CollectionDef;
  operation: Extract<RuleOperation, 'list' | 'view'>;
}

/**
 * Whether the answer may differ from caller to caller: an authenticated
 * request, a rule that looks at the caller, or a stale session cookie
 * (answered with a Set-Cookie that clears it, which no shared cache may keep).
 */
function dependsOnCaller(req: FastifyRequest, read: ReadOf | undefined): boolean {
  if (req.ctx.auth) return true;
  if (read && ruleUsesCaller(read.def, read.operation)) return true;
  return req.headers.cookie?.includes(`${SESSION_COOKIE}=`) === true;
}

/** Cache-Control for a read's 200 or 304. */
export function readCacheControl(req: FastifyRequest, read?: ReadOf): string {
  if (dependsOnCaller(req, read)) return PRIVATE;
  const cache = read?.def.cache;
  if (cache === undefined) return REVALIDATE;
  const parts = ['public', `max-age=${cache.maxAge ?? 0}`];
  if (cache.sMaxAge !== undefined) parts.push(`s-maxage=${cache.sMaxAge}`);
  if (cache.staleWhileRevalidate !== undefined)
    parts.push(`stale-while-revalidate=${cache.staleWhileRevalidate}`);
  return parts.join(', ');
}
