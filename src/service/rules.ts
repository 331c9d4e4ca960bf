/**
 * Access rules per operation. A rule either decides for the whole collection
 * (public, auth, admin, nobody) or becomes a filter that SQL applies to the
 * records (owner, expressions), so lists page and count correctly.
 */
import type { Expr } from '../query/ast.js';
import { bindAuth, usesAuth } from '../query/bind-auth.js';
import { parseFilter } from '../query/parser.js';
import type { CollectionDef, RuleOperation } from '../schema/types.js';
import { Problem } from '../util/problem.js';
import type { RequestContext } from './context.js';

export type Access = { kind: 'all' } | { kind: 'filter'; filter: Expr };

const ALL: Access = { kind: 'all' };
const parsed = new Map<string, Expr>();

function expression(source: string): Expr {
  let expr = parsed.get(source);
  if (!expr) {
    expr = parseFilter(source);
    parsed.set(source, expr);
  }
  return expr;
}

function unauthorized(): Problem {
  return new Problem('unauthorized', 'Authentication is required for this operation.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="methodical"' },
  });
}

/**
 * What the caller may do for one operation: everything, only records
 * matching a filter, or nothing (throws 401 or 403).
 */
export function access(def: CollectionDef, operation: RuleOperation, ctx: RequestContext): Access {
  if (ctx.system) return ALL;
  const rule = def.rules[operation];
  const auth = ctx.auth;
  switch (rule) {
    case 'public':
      return ALL;
    case 'nobody':
      throw new Problem('forbidden', `Nobody may ${operation} ${def.name} through the API.`);
    case 'auth':
      if (!auth) throw unauthorized();
      return ALL;
    case 'admin':
      if (!auth) throw unauthorized();
      if (!auth.admin) throw new Problem('forbidden', `Only administrators may ${operation} ${def.name}.`);
      return ALL;
    case 'owner':
      if (!auth) throw unauthorized();
      if (auth.admin) return ALL;
      return { kind: 'filter', filter: bindAuth(expression('owner = @auth.id'), auth) };
    default: {
      const expr = expression(rule);
      if (!auth && usesAuth(expr)) throw unauthorized();
      if (auth?.admin) return ALL;
      return { kind: 'filter', filter: bindAuth(expr, auth) };
    }
  }
}

/** A filter AND-ed with an access filter. */
export function restrict(filter: Expr | null, allowed: Access): Expr | null {
  if (allowed.kind === 'all') return filter;
  if (!filter) return allowed.filter;
  return { kind: 'and', left: allowed.filter, right: filter, pos: 0 };
}

/** Whether an operation's rule looks at the caller (`auth`, `owner`, `admin` or an expression using `@auth`). */
export function ruleUsesCaller(def: CollectionDef, operation: RuleOperation): boolean {
  const rule = def.rules[operation];
  if (rule === 'public' || rule === 'nobody') return false;
  if (rule === 'auth' || rule === 'owner' || rule === 'admin') return true;
  return usesAuth(expression(rule));
}
