/**
 * The filter language's syntax tree. Every node keeps `pos`, the 0-based
 * character offset in the source where it starts, for error messages.
 */

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~' | '^~' | '~$';

/**
 * `^~` (starts with) and `~$` (ends with), ignoring case like `~`: not in
 * the filter language's syntax, built by translations of other query
 * languages (json-server's `_like=^text`, `text$`).
 */
export type AnchoredOp = Extract<CompareOp, '^~' | '~$'>;

/** Where a needle must sit in the text: anywhere (`~`), at the start (`^~`) or at the end (`~$`). */
export type MatchAt = 'anywhere' | 'start' | 'end';

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
