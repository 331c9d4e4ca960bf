/**
 * Resolves `@auth.*` operands against the caller before a filter is
 * compiled, so the compiler only ever sees fields and literals.
 */
import type { Expr, Operand } from './ast.js';

/** The caller as filters see it; `null` is an anonymous caller. */
export interface AuthValues {
  id: string;
  email: string;
  admin: boolean;
}

function bindOperand(operand: Operand, auth: AuthValues | null): Operand {
  if (operand.kind !== 'auth') return operand;
  return { kind: 'literal', value: auth === null ? null : auth[operand.prop], pos: operand.pos };
}

/** Replaces every `@auth.*` operand with the caller's value (`null` for all three when anonymous). */
export function bindAuth(expr: Expr, auth: AuthValues | null): Expr {
  if (expr.kind === 'cmp') {
    return { ...expr, left: bindOperand(expr.left, auth), right: bindOperand(expr.right, auth) };
  }
  return { ...expr, left: bindAuth(expr.left, auth), right: bindAuth(expr.right, auth) };
}

/** Whether the expression refers to the caller (rules that do answer 401 to anonymous callers). */
export function usesAuth(expr: Expr): boolean {
  if (expr.kind === 'cmp') return expr.left.kind === 'auth' || expr.right.kind === 'auth';
  return usesAuth(expr.left) || usesAuth(expr.right);
}
