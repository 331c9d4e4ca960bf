/** `integer`: a safe integer; min/max bound the value. */
import type { FieldTypeImpl } from '../field-type.js';
import { checkRange, fail, ok, withBounds, wrongType } from './result.js';

const INTEGER_TEXT = /^[+-]?[0-9]+$/;

export const integer: FieldTypeImpl = {
  type: 'integer',
  constraints: ['min', 'max'],
  storage: 'integer',
  check(value, def) {
    if (typeof value !== 'number') return wrongType('an integer', value);
    if (!Number.isInteger(value)) return fail('type', 'must be a whole number');
    if (!Number.isSafeInteger(value)) {
      return fail(
        'type',
        `must be an integer between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
      );
    }
    // -0 is an integer to JavaScript but would come back as 0; store it as 0 from the start.
    return checkRange(value, def.min, def.max, String) ?? ok(value === 0 ? 0 : value);
  },
  // Only whole decimal digits convert; "12abc" or "1e3" stay strings so check says `type`.
  fromForm: (value) => (INTEGER_TEXT.test(value) ? Number(value) : value),
  jsonSchema: (def) => withBounds({ type: 'integer' }, 'minimum', def.min, 'maximum', def.max),
};
