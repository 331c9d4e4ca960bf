/** `relation`: the id of a record in `collection`; whether it exists is the service's check. */
import type { FieldTypeImpl } from '../field-type.js';
import { ID_PATTERN } from '../types.js';
import { fail, ok, wrongType } from './result.js';

export const relation: FieldTypeImpl = {
  type: 'relation',
  constraints: ['collection', 'multiple', 'min', 'max', 'onDelete'],
  storage: 'text',
  check(value) {
    if (typeof value !== 'string') return wrongType('a record id string', value);
    return ID_PATTERN.test(value)
      ? ok(value)
      : fail('format', 'must be a record id: 1 to 64 letters, digits, "_" or "-"');
  },
  fromForm: (value) => value,
  jsonSchema: () => ({ type: 'string', pattern: ID_PATTERN.source }),
};
