/** Building blocks shared by the field types: results and wording (issue codes: util/problem.ts). */
import type { FieldIssueCode } from '../../util/problem.js';
import type { CheckResult } from '../field-type.js';

/** A passing check with its normalised value. */
export function ok(value: unknown): CheckResult {
  return { ok: true, value };
}

/** A failing check with one issue. */
export function fail(code: FieldIssueCode, message: string): CheckResult {
  return { ok: false, code, message };
}

/** How a JSON value is named in messages: "a string", "an array", "null"… */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** A `type` issue: "must be a string, not a number". */
export function wrongType(expected: string, value: unknown): CheckResult {
  return fail('type', `must be ${expected}, not ${jsonTypeOf(value)}`);
}

/** "1 character", "3 characters". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Checks `value` against the field's numeric min/max (a length, a value or a count). */
export function checkRange(
  measure: number,
  min: number | undefined,
  max: number | undefined,
  unit: (n: number) => string,
): CheckResult | undefined {
  if (min !== undefined && measure < min) return fail('min', `must be at least ${unit(min)}`);
  if (max !== undefined && measure > max) return fail('max', `must be at most ${unit(max)}`);
  return undefined;
}

/** Adds `minimum`-style keys to a JSON Schema only when the constraint is set. */
export function withBounds(
  schema: Record<string, unknown>,
  lowKey: string,
  low: number | undefined,
  highKey: string,
  high: number | undefined,
): Record<string, unknown> {
  if (low !== undefined) schema[lowKey] = low;
  if (high !== undefined) schema[highKey] = high;
  return schema;
}
