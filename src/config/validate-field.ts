/** Checks one field definition of a collection and returns a clean FieldDef. */
import { checkFieldValue } from '../schema/compile-collection.js';
import { ALL_CONSTRAINTS, fieldType } from '../schema/fields/index.js';
import { compilePattern } from '../schema/fields/text.js';
import { FIELD_TYPES, type FieldDef, type FieldType, ON_DELETE, type OnDelete } from '../schema/types.js';
import { at, type Checker, describe, listWords, type RawObject } from './checker.js';

const COMMON_KEYS = ['type', 'required', 'unique', 'default', 'hidden'];
// `type/subtype`, `type/*` or `*/*`, as in an HTML accept attribute.
const MEDIA_RANGE = /^(?:\*\/\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/(?:\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*))$/;
const COUNTED: ReadonlySet<FieldType> = new Set(['select', 'relation', 'file']);

/** What a field definition may refer to. */
export interface FieldContext {
  /** Every collection name in the config, `users` included. */
  collections: ReadonlySet<string>;
}

function readType(c: Checker, raw: RawObject, path: string): FieldType {
  const type = raw.type;
  const types = listWords(FIELD_TYPES);
  if (type === undefined) c.fail(at(path, 'type'), `missing; expected one of ${types}`);
  if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) {
    return c.expected(at(path, 'type'), `one of ${types}`, type);
  }
  return type as FieldType;
}

function checkKeys(c: Checker, raw: RawObject, path: string, type: FieldType): void {
  const allowed = [...COMMON_KEYS, ...fieldType(type).constraints];
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key)) continue;
    const known = ALL_CONSTRAINTS.has(key)
      ? `${key} is not allowed for a ${type} field`
      : `unknown key "${key}"`;
    c.fail(at(path, key), `${known}; allowed keys for a ${type} field are ${listWords(allowed)}`);
  }
}

function readBounds(c: Checker, raw: RawObject, path: string, def: FieldDef): void {
  const counted = COUNTED.has(def.type);
  for (const key of ['min', 'max'] as const) {
    if (raw[key] === undefined) continue;
    if (counted && def.multiple !== true) {
      c.fail(
        at(path, key),
        `${key} counts the values of a multiple field; set "multiple": true or remove ${key}`,
      );
    }
    const numeric = def.type === 'integer' || def.type === 'number';
    def[key] = numeric ? c.number(raw[key], at(path, key)) : c.integer(raw[key], at(path, key), 0);
  }
  if (def.min !== undefined && def.max !== undefined && def.min > def.max) {
    c.fail(at(path, 'max'), `max (${def.max}) is less than min (${def.min})`);
  }
}

function readPattern(c: Checker, value: unknown, path: string): string {
  const pattern = c.string(value, path);
  try {
    compilePattern(pattern);
  } catch (err) {
    // V8 repeats the pattern with its flags in front of the reason; the path already says which one.
    const reason = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    c.fail(path, `invalid regular expression ${JSON.stringify(pattern)}: ${reason}`);
  }
  return pattern;
}

function readValues(c: Checker, value: unknown, path: string): string[] {
  const values = c.strings(value, path);
  if (values.length === 0) c.fail(path, 'a select field needs at least one value');
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) c.fail(`${path}[${i}]`, `${JSON.stringify(v)} is listed twice`);
    seen.add(v);
  });
  return values;
}

function readCollection(c: Checker, value: unknown, path: string, ctx: FieldContext): string {
  const name = c.string(value, path);
  if (!ctx.collections.has(name)) {
    c.fail(
      path,
      `relation to unknown collection "${name}"; collections are ${listWords([...ctx.collections])}`,
    );
  }
  return name;
}

/** `onDelete` of a relation: one of ON_DELETE; `setNull` needs a field that may be empty. */
function readOnDelete(c: Checker, value: unknown, path: string, def: FieldDef): OnDelete {
  if (typeof value !== 'string' || !(ON_DELETE as readonly string[]).includes(value)) {
    return c.expected(path, listWords(ON_DELETE.map((v) => JSON.stringify(v))), value);
  }
  if (value === 'setNull' && def.required === true) {
    c.fail(path, '"setNull" would empty a required field; use "restrict" or "cascade", or drop required');
  }
  if (value === 'setNull' && def.multiple === true && (def.min ?? 0) > 0) {
    c.fail(path, `"setNull" could leave fewer than min (${def.min}) records; use "restrict" or "cascade"`);
  }
  return value as OnDelete;
}

function readAccept(c: Checker, value: unknown, path: string): string[] {
  const accept = c.strings(value, path);
  if (accept.length === 0) c.fail(path, 'expected at least one media type, e.g. "image/png" or "image/*"');
  accept.forEach((type, i) => {
    if (!MEDIA_RANGE.test(type))
      c.expected(`${path}[${i}]`, 'a media type like "image/png" or "image/*"', type);
  });
  return accept.map((type) => type.toLowerCase());
}

function readDefault(c: Checker, value: unknown, path: string, name: string, def: FieldDef): unknown {
  if (def.type === 'file') c.fail(path, 'a file field cannot have a default');
  const outcome = checkFieldValue(name, def, value);
  if (!outcome.ok) {
    c.fail(path, `${describe(value)} is not valid for this field (${outcome.issues[0].message})`);
  }
  // The checked value is normalised (a date in canonical form) and a fresh copy the config can freeze.
  return structuredClone(outcome.value);
}

/** Validates `collections.<c>.fields.<name>`; defaults are checked against the finished definition. */
export function validateField(
  c: Checker,
  value: unknown,
  path: string,
  name: string,
  ctx: FieldContext,
): FieldDef {
  const raw = c.object(value, path);
  const type = readType(c, raw, path);
  checkKeys(c, raw, path, type);
  const def: FieldDef = { type };
  for (const key of ['required', 'unique', 'multiple', 'hidden'] as const) {
    if (raw[key] !== undefined) def[key] = c.boolean(raw[key], at(path, key));
  }
  if (def.unique === true && (type === 'json' || def.multiple === true)) {
    c.fail(
      at(path, 'unique'),
      `unique is not allowed for ${type === 'json' ? 'a json' : 'a multiple'} field`,
    );
  }
  readBounds(c, raw, path, def);
  if (raw.pattern !== undefined) def.pattern = readPattern(c, raw.pattern, at(path, 'pattern'));
  if (type === 'select') {
    if (raw.values === undefined)
      c.fail(at(path, 'values'), 'missing; a select field needs a list of values');
    def.values = readValues(c, raw.values, at(path, 'values'));
  }
  if (type === 'relation') {
    if (raw.collection === undefined)
      c.fail(at(path, 'collection'), 'missing; a relation names its collection');
    def.collection = readCollection(c, raw.collection, at(path, 'collection'), ctx);
    if (raw.onDelete !== undefined) def.onDelete = readOnDelete(c, raw.onDelete, at(path, 'onDelete'), def);
  }
  if (raw.maxSize !== undefined) def.maxSize = c.integer(raw.maxSize, at(path, 'maxSize'), 1);
  if (raw.accept !== undefined) def.accept = readAccept(c, raw.accept, at(path, 'accept'));
  if (raw.default !== undefined) def.default = readDefault(c, raw.default, at(path, 'default'), name, def);
  return def;
}
