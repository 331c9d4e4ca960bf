/** `text`: a string without U+0000; min/max count characters (code points), pattern must match the whole value. */
import type { FieldTypeImpl } from '../field-type.js';
import { checkRange, fail, ok, plural, withBounds, wrongType } from './result.js';

const compiled = new Map<string, RegExp>();

/**
 * Compiles a config `pattern` as HTML's `pattern` attribute does: anchored to
 * the whole value, with the `u` flag. Throws a SyntaxError for a bad regex.
 */
export function compilePattern(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    // Compiling the bare pattern first refuses `a)|(b`, which would escape the anchoring group.
    new RegExp(pattern, 'u');
    re = new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, re);
  }
  return re;
}

/** Length in characters as a person counts them (code points, not UTF-16 units). */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

const characters = (n: number) => plural(n, 'character');

const NUL = String.fromCharCode(0);

export const text: FieldTypeImpl = {
  type: 'text',
  constraints: ['min', 'max', 'pattern'],
  storage: 'text',
  check(value, def) {
    if (typeof value !== 'string') return wrongType('a string', value);
    // Not storable in PostgreSQL, so refused on every store: both answer the same.
    if (value.includes(NUL)) return fail('format', 'must not contain the character U+0000 (NUL)');
    const range = checkRange(charLength(value), def.min, def.max, characters);
    if (range !== undefined) return range;
    if (def.pattern !== undefined && !compilePattern(def.pattern).test(value)) {
      return fail('pattern', `must match the pattern ${def.pattern}`);
    }
    return ok(value);
  },
  fromForm: (value) => value,
  jsonSchema(def) {
    const schema = withBounds({ type: 'string' }, 'minLength', def.min, 'maxLength', def.max);
    if (def.pattern !== undefined) schema.pattern = `^(?:${def.pattern})$`;
    return schema;
  },
};
