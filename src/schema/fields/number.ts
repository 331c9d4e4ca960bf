/** `number`: any finite number; min/max bound the value. */
import type { FieldTypeImpl } from '../field-type.js';
import { checkRange, fail, ok, withBounds, wrongType } from './result.js';

// A JSON-like decimal (leading "+" and ".5" tolerated, as number inputs may send them).
const NUMBER_TEXT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export const number: FieldTypeImpl = {
  type: 'number',
  constraints: ['min', 'max'],
  storage: 'real',
  check(value, def) {
    if (typeof value !== 'number') return wrongType('a number', value);
    if (!Number.isFinite(value)) return fail('type', 'must be a finite number');
    return checkRange(value, def.min, def.max, String) ?? ok(value === 0 ? 0 : value);
  },
  fromForm(value) {
    if (!NUMBER_TEXT.test(value)) return value;
    const n = Number(value);
    // "1e999" parses to Infinity: leave the text so check reports it instead of storing a wrong value.
    return Number.isFinite(n) ? n : value;
  },
  jsonSchema: (def) => withBounds({ type: 'number' }, 'minimum', def.min, 'maximum', def.max),
};
