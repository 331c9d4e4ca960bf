/**
 * Filter AST → parameterised SQL for one dialect (its FilterSql hooks). Every literal goes
 * through `target.param`; only column references the store hands back and
 * fixed keywords ever become SQL text.
 */
import type { Expr } from './ast.js';
import { compileComparison } from './compile-comparison.js';
import type { SqlTarget } from './sql-target.js';

export type { ColumnInfo, FilterSql, ParamValue, SqlTarget } from './sql-target.js';

/**
 * The operands of a run of the same connective, left to right. Walking it
 * with a stack keeps a 800-term `a && b && …` from recursing 800 deep, and
 * a flat `(a AND b AND c)` stays within SQLite's expression depth limit.
 */
function terms(expr: Extract<Expr, { kind: 'and' | 'or' }>): Expr[] {
  const out: Expr[] = [];
  const stack: Expr[] = [expr];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.kind === expr.kind) stack.push(next.right, next.left);
    else out.push(next);
  }
  return out;
}

/** Compiles a bound filter (see `bindAuth`) to a SQL boolean expression, pushing literals as params. */
export function compileFilter(expr: Expr, target: SqlTarget): string {
  if (expr.kind === 'cmp') return compileComparison(expr, target);
  const joiner = expr.kind === 'and' ? ' AND ' : ' OR ';
  return `(${terms(expr)
    .map((term) => compileFilter(term, target))
    .join(joiner)})`;
}
