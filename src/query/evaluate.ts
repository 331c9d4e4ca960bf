/**
 * A filter evaluated on one record in memory, for the records of the
 * change log (realtime), which are no longer, or not yet, the rows of
 * their table. `@auth` must be bound first (bind-auth.ts). The filter was
 * compiled once already (rules are checked when the config loads), so the
 * types on both sides agree; the semantics follow the SQL compile-filter.ts
 * writes: a missing value equals nothing and orders with nothing, `!=` and
 * `!~` count it as different, `~` is a case-insensitive substring test (on
 * a JSON or `multiple` value, on its JSON text).
 */
import type { Expr, Literal, Operand } from './ast.js';

type Value = Literal | object;

function operandValue(operand: Operand, record: Readonly<Record<string, unknown>>): Value {
  if (operand.kind === 'literal') return operand.value;
  if (operand.kind === 'auth') throw new Error('evaluate: call bindAuth before evaluating @auth operands');
  const value = record[operand.name];
  return value === undefined ? null : (value as Value);
}

function text(value: Value): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function contains(value: Value, needle: Value): boolean {
  if (value === null) return false;
  return text(value).toLowerCase().includes(String(needle).toLowerCase());
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/** a < b: -1, a = b: 0, a > b: 1 (numbers by value, text by code point, as SQLite's BINARY and "C" collations). */
function order(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  const x = text(a);
  const y = text(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Whether the record matches the (auth-bound) filter. */
export function evaluate(expr: Expr, record: Readonly<Record<string, unknown>>): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, record) && evaluate(expr.right, record);
    case 'or':
      return evaluate(expr.left, record) || evaluate(expr.right, record);
    case 'cmp': {
      const a = operandValue(expr.left, record);
      const b = operandValue(expr.right, record);
      switch (expr.op) {
        case '~':
          return contains(a, b);
        case '!~':
          return !contains(a, b);
        case '=':
          return a !== null && b !== null ? equal(a, b) : a === null && b === null && isNullTest(expr);
        case '!=':
          if (a === null || b === null) return (a === null) !== (b === null);
          return !equal(a, b);
        default: {
          if (a === null || b === null) return false;
          const c = order(a, b);
          if (expr.op === '<') return c < 0;
          if (expr.op === '<=') return c <= 0;
          if (expr.op === '>') return c > 0;
          return c >= 0;
        }
      }
    }
  }
}

/** `x = null` is a null test (IS NULL); otherwise a missing value equals nothing, itself included. */
function isNullTest(expr: Extract<Expr, { kind: 'cmp' }>): boolean {
  const literalNull = (o: Operand) => o.kind === 'literal' && o.value === null;
  return literalNull(expr.left) || literalNull(expr.right);
}
