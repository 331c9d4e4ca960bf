/**
 * A collection's validators, compiled once when the config loads: body and
 * form parsing into field values, whole-record checks and JSON Schema.
 */
import type { FieldIssue, FieldIssueCode } from '../util/problem.js';
import { validationProblem } from '../util/problem.js';
import type { FieldTypeImpl } from './field-type.js';
import { fieldType } from './fields/index.js';
import { plural } from './fields/result.js';
import { collectionJsonSchema, type SchemaKind } from './json-schema.js';
import { type CollectionDef, type FieldDef, SYSTEM_FIELDS } from './types.js';

export interface CompiledCollection {
  def: CollectionDef;
  fieldNames: readonly string[];
  /** Whether any field is a file (a write then settles its files in its transaction). */
  hasFiles: boolean;
  /**
   * Full body of a create or replace (PUT): every declared field; missing ones
   * take `default` or null; unknown keys → unknown_field; all issues at once →
   * throws validationProblem. Returns a fresh plain object with declared names only.
   */
  fromBody(body: Record<string, unknown>): Record<string, unknown>;
  /**
   * Validates a complete candidate record (after a merge or JSON patch): same
   * checks, no defaults; a missing key counts as null (a JSON Patch `remove` unsets).
   */
  check(values: Record<string, unknown>): Record<string, unknown>;
  /**
   * Form values (name → string[]) → a JSON-like body for fromBody, coerced per
   * field type. `partial` (a PATCH from a form) leaves out what the form does
   * not carry, unchecked boxes included, so a merge patch leaves them as they are.
   */
  fromForm(form: Record<string, string[]>, options?: { partial?: boolean }): Record<string, unknown>;
  /** JSON Schema 2020-12 of a record (with id/created/updated) or of a create/replace body. */
  jsonSchema(kind: SchemaKind): Record<string, unknown>;
}

interface Field {
  name: string;
  def: FieldDef;
  impl: FieldTypeImpl;
}

/** One field's value checked: normalised, or every issue found. */
export type FieldOutcome = { ok: true; value: unknown } | { ok: false; issues: FieldIssue[] };

const IGNORED_KEYS: ReadonlySet<string> = new Set(SYSTEM_FIELDS);

const items = (n: number) => plural(n, 'item');

function issue(field: string, code: FieldIssueCode, message: string): FieldIssue {
  return { field, code, message };
}

/** Sets an own property even for `__proto__`, which plain assignment would treat as the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function checkMultiple(name: string, def: FieldDef, value: unknown): FieldOutcome {
  const impl = fieldType(def.type);
  if (!Array.isArray(value)) {
    return { ok: false, issues: [issue(name, 'type', 'must be a list of values')] };
  }
  if (def.required === true && value.length === 0) {
    return { ok: false, issues: [issue(name, 'required', 'is required: give at least one value')] };
  }
  if (def.min !== undefined && value.length < def.min) {
    return { ok: false, issues: [issue(name, 'min', `must have at least ${items(def.min)}`)] };
  }
  if (def.max !== undefined && value.length > def.max) {
    return { ok: false, issues: [issue(name, 'max', `must have at most ${items(def.max)}`)] };
  }
  const issues: FieldIssue[] = [];
  const out: unknown[] = [];
  value.forEach((item, i) => {
    const result = impl.check(item, def);
    if (result.ok) out.push(result.value);
    else issues.push(issue(name, result.code, `item ${i + 1} ${result.message}`));
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: out };
}

/** Checks one field's value (null = no value) against its definition, `multiple` included. */
export function checkFieldValue(name: string, def: FieldDef, value: unknown): FieldOutcome {
  if (value === null || (value === '' && def.type === 'text' && def.required === true)) {
    return def.required === true
      ? { ok: false, issues: [issue(name, 'required', 'is required')] }
      : { ok: true, value: null };
  }
  if (def.multiple === true) return checkMultiple(name, def, value);
  const result = fieldType(def.type).check(value, def);
  return result.ok ? result : { ok: false, issues: [issue(name, result.code, result.message)] };
}

/** Compiles one collection's validators. */
export function compileCollection(def: CollectionDef): CompiledCollection {
  const fields: Field[] = Object.entries(def.fields).map(([name, fieldDef]) => ({
    name,
    def: fieldDef,
    impl: fieldType(fieldDef.type),
  }));
  const byName = new Map(fields.map((f) => [f.name, f]));

  function validate(values: Record<string, unknown>, applyDefaults: boolean): Record<string, unknown> {
    const issues: FieldIssue[] = [];
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      let value = Object.hasOwn(values, f.name) ? values[f.name] : undefined;
      if (value === undefined) {
        // Defaults are frozen config data; a record gets its own copy to change.
        value = applyDefaults && f.def.default !== undefined ? structuredClone(f.def.default) : null;
      }
      const outcome = checkFieldValue(f.name, f.def, value);
      if (outcome.ok) out[f.name] = outcome.value;
      else issues.push(...outcome.issues);
    }
    for (const key of Object.keys(values)) {
      if (!byName.has(key) && !IGNORED_KEYS.has(key)) {
        issues.push(issue(key, 'unknown_field', `is not a field of ${def.name}`));
      }
    }
    if (issues.length > 0) throw validationProblem(issues);
    return out;
  }

  function fromForm(
    form: Record<string, string[]>,
    options: { partial?: boolean } = {},
  ): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    const issues: FieldIssue[] = [];
    for (const [key, values] of Object.entries(form)) {
      // `_redirect`, `_idempotency_key` and the like steer the request; they are not data.
      if (key.startsWith('_') || values.length === 0) continue;
      const field = byName.get(key);
      if (field === undefined) {
        // Passed on as sent, so fromBody reports it (or ignores a system field).
        setOwn(body, key, values.length === 1 ? values[0] : [...values]);
      } else if (field.def.multiple === true) {
        body[key] = values.filter((v) => v !== '').map((v) => field.impl.fromForm(v, field.def));
      } else if (values.length > 1) {
        issues.push(issue(key, 'type', `must be a single value, but the form sent ${values.length}`));
      } else {
        body[key] = values[0] === '' ? null : field.impl.fromForm(values[0], field.def);
      }
    }
    for (const f of options.partial ? [] : fields) {
      // Browsers send nothing for an unchecked box.
      if (f.def.type === 'boolean' && f.def.multiple !== true && !hasValues(form, f.name))
        body[f.name] = false;
    }
    if (issues.length > 0) throw validationProblem(issues);
    return body;
  }

  return {
    def,
    fieldNames: Object.freeze(fields.map((f) => f.name)),
    hasFiles: fields.some((f) => f.def.type === 'file'),
    fromBody: (body) => validate(body, true),
    check: (values) => validate(values, false),
    fromForm,
    // Built fresh on each call (it is rare), so a caller may extend the result freely.
    jsonSchema: (kind) => collectionJsonSchema(def, kind),
  };
}

function hasValues(form: Record<string, string[]>, name: string): boolean {
  return Object.hasOwn(form, name) && form[name].length > 0;
}
