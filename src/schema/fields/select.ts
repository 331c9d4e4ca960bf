/** `select`: one of the declared `values` (an array of them when `multiple`). */
import type { FieldTypeImpl } from '../field-type.js';
import { fail, ok, wrongType } from './result.js';

const LISTED = 10;

function listValues(values: readonly string[]): string {
  const shown = values.slice(0, LISTED).join(', ');
  return values.length > LISTED ? `${shown}, …` : shown;
}

export const select: FieldTypeImpl = {
  type: 'select',
  constraints: ['values', 'multiple', 'min', 'max'],
  storage: 'text',
  check(value, def) {
    if (typeof value !== 'string') return wrongType('a string', value);
    const values = def.values ?? [];
    return values.includes(value) ? ok(value) : fail('values', `must be one of: ${listValues(values)}`);
  },
  fromForm: (value) => value,
  jsonSchema: (def) => ({ type: 'string', enum: [...(def.values ?? [])] }),
};
