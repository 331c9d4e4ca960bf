/** Checks a collection's access rules: a rule kind, or a filter expression over its fields. */
import type { Expr, Operand } from '../query/ast.js';
import { parseFilter } from '../query/parser.js';
import {
  RULE_OPERATIONS,
  type Rule,
  type RuleKind,
  type RuleOperation,
  SYSTEM_FIELDS,
} from '../schema/types.js';
import { at, type Checker, listWords } from './checker.js';

export const RULE_KINDS: readonly RuleKind[] = ['public', 'auth', 'owner', 'admin', 'nobody'];

/** Reads `rules`, filling each missing operation from `defaults`; expressions are checked later by checkRuleFields. */
export function readRules(
  c: Checker,
  value: unknown,
  path: string,
  defaults: Readonly<Record<RuleOperation, Rule>>,
): Record<RuleOperation, Rule> {
  const raw = value === undefined ? {} : c.object(value, path, RULE_OPERATIONS);
  const rules = { ...defaults };
  for (const op of RULE_OPERATIONS) {
    if (raw[op] === undefined) continue;
    const rulePath = at(path, op);
    if (typeof raw[op] !== 'string' || raw[op] === '') {
      c.expected(rulePath, `a rule: ${listWords(RULE_KINDS)}, or a filter expression`, raw[op]);
    }
    rules[op] = raw[op] as Rule;
  }
  return rules;
}

function* fieldOperands(expr: Expr): Generator<Operand & { kind: 'field' }> {
  if (expr.kind === 'cmp') {
    for (const operand of [expr.left, expr.right]) if (operand.kind === 'field') yield operand;
  } else {
    yield* fieldOperands(expr.left);
    yield* fieldOperands(expr.right);
  }
}

function parseRule(c: Checker, rule: string, path: string): Expr {
  try {
    return parseFilter(rule);
  } catch (err) {
    const reason = (err as Error).message;
    const kinds = listWords(RULE_KINDS);
    return c.fail(
      path,
      `${JSON.stringify(rule)} is neither a rule kind (${kinds}) nor a valid filter expression: ${reason}`,
    );
  }
}

/** Parses every expression rule and checks that the fields it names exist in the collection. */
export function checkRuleExpressions(
  c: Checker,
  rules: Readonly<Record<RuleOperation, Rule>>,
  path: string,
  fieldNames: readonly string[],
): void {
  const known = new Set<string>([...SYSTEM_FIELDS, ...fieldNames]);
  for (const op of RULE_OPERATIONS) {
    const rule = rules[op];
    if ((RULE_KINDS as readonly string[]).includes(rule)) continue;
    const expr = parseRule(c, rule, at(path, op));
    for (const operand of fieldOperands(expr)) {
      if (!known.has(operand.name)) {
        c.fail(
          at(path, op),
          `unknown field "${operand.name}" at position ${operand.pos}; fields are ${listWords([...known])}`,
        );
      }
    }
  }
}
