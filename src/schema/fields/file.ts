/**
 * `file`: the stored name of an uploaded file. The service stores uploads and
 * fills this in (checking `maxSize` and `accept`, codes file_size/file_type);
 * in a JSON body a client can only keep a name the record already has, which
 * the service compares. Here only the shape of a safe stored name is checked.
 */
import type { FieldTypeImpl } from '../field-type.js';
import { fail, ok, wrongType } from './result.js';

// No path pieces, no control characters, no leading dot, at most 255 characters.
const STORED_NAME = /^[^./\\\p{Cc}][^/\\\p{Cc}]{0,254}$/u;

export const file: FieldTypeImpl = {
  type: 'file',
  constraints: ['multiple', 'maxSize', 'accept', 'min', 'max'],
  storage: 'text',
  check(value) {
    if (typeof value !== 'string') return wrongType('a file name string', value);
    return STORED_NAME.test(value) ? ok(value) : fail('format', 'must be the name of a stored file');
  },
  fromForm: (value) => value,
  jsonSchema: () => ({ type: 'string', minLength: 1, maxLength: 255 }),
};
