/**
 * The filter language's syntax tree. Every node keeps `pos`, the 0-based
 * character offset in the source where it starts, for error messages.
 */

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~';

export type Literal = string | number | boolean | null;

export type Operand =
  | { kind: 'field'; name: string; pos: number }
  | { kind: 'literal'; value: Literal; pos: number }
  /** `@auth.id`, `@auth.email`, `@auth.admin`: resolved before compiling. */
  | { kind: 'auth'; prop: 'id' | 'email' | 'admin'; pos: number };

export type Expr =
  | { kind: 'and'; left: Expr; right: Expr; pos: number }
  | { kind: 'or'; left: Expr; right: Expr; pos: number }
  | { kind: 'cmp'; op: CompareOp; left: Operand; right: Operand; pos: number };
