/**
 * One comparison to SQL. Type rules live here: a comparison that would
 * make the database raise an error (and so a 500) is a 400 instead.
 */
import type { CompareOp, Expr, Literal, Operand } from './ast.js';
import { filterError, quoteSnippet } from './filter-error.js';
import type { ColumnInfo, ParamValue, SqlTarget } from './sql-target.js';

type Comparison = Extract<Expr, { kind: 'cmp' }>;

/** How values of a side compare: JSON (and `multiple`) columns only by substring or null-ness. */
type ValueType = 'text' | 'number' | 'boolean' | 'json';

type Side =
  | { kind: 'column'; name: string; pos: number; info: ColumnInfo; type: ValueType }
  | { kind: 'literal'; value: Literal; pos: number };

const NOUN: Record<ValueType, string> = {
  text: 'text',
  number: 'numbers',
  boolean: 'true or false',
  json: 'JSON',
};

const WANTED: Record<ValueType, string> = {
  text: 'a quoted string',
  number: 'a number',
  boolean: 'true or false',
  json: '~ or !~',
};

function columnType(info: ColumnInfo): ValueType {
  if (info.multiple || info.storage === 'json') return 'json';
  if (info.storage === 'integer' || info.storage === 'real') return 'number';
  return info.storage;
}

function literalType(value: Literal): ValueType {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  // null never gets here: compileNullCheck handles it first.
  return 'text';
}

function describeLiteral(value: Literal): string {
  if (typeof value === 'string') return `the string ${quoteSnippet(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return String(value);
}

function resolve(operand: Operand, target: SqlTarget): Side {
  if (operand.kind === 'literal') return operand;
  if (operand.kind === 'auth') {
    throw new Error('compileFilter: call bindAuth before compiling @auth operands');
  }
  const info = target.column(operand.name);
  if (info === undefined) {
    throw filterError(`Unknown field ${quoteSnippet(operand.name)} at position ${operand.pos}`, operand.pos);
  }
  return { kind: 'column', name: operand.name, pos: operand.pos, info, type: columnType(info) };
}

/** A side as SQL; literals become parameters, typed by the dialect where nothing else types them. */
function render(side: Side, other: Side, target: SqlTarget): string {
  if (side.kind === 'column') return side.info.sql;
  return target.sql.literal(
    target.param(side.value),
    side.value,
    other.kind === 'column' ? other.info : null,
  );
}

function isNull(side: Side): boolean {
  return side.kind === 'literal' && side.value === null;
}

function compileNullCheck(cmp: Comparison, left: Side, right: Side, target: SqlTarget): string {
  const nullSide = isNull(right) ? right : left;
  if (cmp.op !== '=' && cmp.op !== '!=') {
    throw filterError(
      `null can only be compared with = or !=, not "${cmp.op}", at position ${nullSide.pos}`,
      nullSide.pos,
    );
  }
  const subject = nullSide === right ? left : right;
  const test = cmp.op === '=' ? 'IS NULL' : 'IS NOT NULL';
  return `${render(subject, nullSide, target)} ${test}`;
}

function compileContains(cmp: Comparison, left: Side, right: Side, target: SqlTarget): string {
  if (right.kind !== 'literal' || typeof right.value !== 'string') {
    throw filterError(
      `The right side of "${cmp.op}" must be a quoted string, at position ${right.pos}`,
      right.pos,
    );
  }
  const leftIsText =
    left.kind === 'column'
      ? left.type === 'text' || left.type === 'json'
      : typeof left.value === 'string' || left.value === null;
  if (!leftIsText) {
    const what =
      left.kind === 'column'
        ? `field ${quoteSnippet(left.name)} holds ${NOUN[left.type]}`
        : `${describeLiteral(left.value)} is not text`;
    throw filterError(
      `"${cmp.op}" needs a text or JSON field on its left, but ${what}, at position ${left.pos}`,
      left.pos,
    );
  }
  const needle = right.value.toLowerCase();
  const param = (value: ParamValue) => target.param(value);
  const subject = (): string =>
    left.kind === 'literal' ? target.sql.literal(target.param(left.value), left.value, null) : left.info.sql;
  if (cmp.op === '~') return target.sql.contains(subject(), needle, param);
  if (cmp.op === '^~') return target.sql.contains(subject(), needle, param, 'start');
  if (cmp.op === '~$') return target.sql.contains(subject(), needle, param, 'end');
  // A missing value contains nothing, so `!~` must match it rather than yield NULL.
  const first = subject();
  return `(${first} IS NULL OR NOT (${target.sql.contains(subject(), needle, param)}))`;
}

/** Throws unless both sides hold the same kind of value and the operator applies to it. */
function checkTypes(cmp: Comparison, left: Side, right: Side): void {
  for (const side of [left, right]) {
    if (side.kind === 'column' && side.type === 'json') {
      const holds = side.info.multiple ? 'several values' : 'JSON';
      throw filterError(
        `Field ${quoteSnippet(side.name)} holds ${holds}; only ~, !~, = null and != null apply to it, ` +
          `at position ${side.pos}`,
        side.pos,
      );
    }
  }
  const typeOf = (side: Side): ValueType => (side.kind === 'column' ? side.type : literalType(side.value));
  const leftType = typeOf(left);
  const rightType = typeOf(right);
  if (leftType !== rightType) {
    if (left.kind === 'column' && right.kind === 'column') {
      throw filterError(
        `Cannot compare field ${quoteSnippet(left.name)} (${NOUN[leftType]}) with field ` +
          `${quoteSnippet(right.name)} (${NOUN[rightType]}) at position ${right.pos}`,
        right.pos,
      );
    }
    const [column, literal] = left.kind === 'column' ? [left, right] : [right, left];
    if (column.kind === 'column' && literal.kind === 'literal') {
      throw filterError(
        `Field ${quoteSnippet(column.name)} holds ${NOUN[column.type]}, so compare it with ` +
          `${WANTED[column.type]}, not ${describeLiteral(literal.value)}, at position ${literal.pos}`,
        literal.pos,
      );
    }
    const l = left.kind === 'literal' ? left.value : null;
    const r = right.kind === 'literal' ? right.value : null;
    throw filterError(
      `Cannot compare ${describeLiteral(l)} with ${describeLiteral(r)} at position ${right.pos}`,
      right.pos,
    );
  }
  if (leftType === 'boolean' && cmp.op !== '=' && cmp.op !== '!=') {
    const subject = left.kind === 'column' ? `Field ${quoteSnippet(left.name)} holds` : 'Values are';
    throw filterError(
      `${subject} true or false; only = and != apply, not "${cmp.op}", at position ${left.pos}`,
      left.pos,
    );
  }
}

function operatorSql(op: CompareOp, target: SqlTarget): string {
  // `!=` counts a missing value as different, as `!~` counts it as not containing.
  return op === '!=' ? target.sql.distinctFrom : op;
}

/** Compiles one comparison whose `@auth` operands are already bound. */
export function compileComparison(cmp: Comparison, target: SqlTarget): string {
  const left = resolve(cmp.left, target);
  const right = resolve(cmp.right, target);
  if (cmp.op === '~' || cmp.op === '!~' || cmp.op === '^~' || cmp.op === '~$') {
    return compileContains(cmp, left, right, target);
  }
  if (isNull(left) || isNull(right)) return compileNullCheck(cmp, left, right, target);
  checkTypes(cmp, left, right);
  const leftSql = render(left, right, target);
  const op = operatorSql(cmp.op, target);
  return `${leftSql} ${op} ${render(right, left, target)}`;
}
