/** The field type registry: one implementation per FieldType. */
import type { FieldTypeImpl } from '../field-type.js';
import type { FieldType } from '../types.js';
import { boolean } from './boolean.js';
import { date } from './date.js';
import { email } from './email.js';
import { file } from './file.js';
import { integer } from './integer.js';
import { json } from './json.js';
import { number } from './number.js';
import { relation } from './relation.js';
import { select } from './select.js';
import { text } from './text.js';
import { url } from './url.js';

const FIELD_TYPE_IMPLS: Readonly<Record<FieldType, FieldTypeImpl>> = Object.freeze({
  text,
  integer,
  number,
  boolean,
  date,
  email,
  url,
  select,
  json,
  relation,
  file,
});

/** The implementation of a field type. */
export function fieldType(type: FieldType): FieldTypeImpl {
  return FIELD_TYPE_IMPLS[type];
}

/** Every constraint key some type accepts, to tell "not for this type" from "no such key". */
export const ALL_CONSTRAINTS: ReadonlySet<string> = new Set(
  Object.values(FIELD_TYPE_IMPLS).flatMap((impl) => impl.constraints),
);
