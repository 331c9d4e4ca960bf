/** `url`: an absolute http or https URL, kept exactly as written. */
import type { FieldTypeImpl } from '../field-type.js';
import { fail, ok, wrongType } from './result.js';

// The URL parser quietly trims and percent-encodes whitespace; refuse it instead of storing a changed value.
const SPACE_OR_CONTROL = /[\s\p{Cc}]/u;

/** True for an absolute http(s) URL with a host. */
export function isHttpUrl(text: string): boolean {
  if (SPACE_OR_CONTROL.test(text) || !URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

export const url: FieldTypeImpl = {
  type: 'url',
  constraints: [],
  storage: 'text',
  check(value) {
    if (typeof value !== 'string') return wrongType('a URL string', value);
    return isHttpUrl(value) ? ok(value) : fail('format', 'must be an absolute http or https URL');
  },
  fromForm: (value) => value,
  jsonSchema: () => ({ type: 'string', format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' }),
};
