/** `boolean`: JSON true or false; forms send checkbox words. */
import type { FieldTypeImpl } from '../field-type.js';
import { ok, wrongType } from './result.js';

const FORM_VALUES: Readonly<Record<string, boolean>> = {
  on: true,
  true: true,
  '1': true,
  off: false,
  false: false,
  '0': false,
};

export const boolean: FieldTypeImpl = {
  type: 'boolean',
  constraints: [],
  storage: 'boolean',
  check: (value) => (typeof value === 'boolean' ? ok(value) : wrongType('true or false', value)),
  fromForm: (value) => (Object.hasOwn(FORM_VALUES, value) ? FORM_VALUES[value] : value),
  jsonSchema: () => ({ type: 'boolean' }),
};
