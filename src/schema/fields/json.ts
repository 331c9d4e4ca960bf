/**
 * `json`: any JSON value: object, array, string, number, boolean.
 * From a form, only text that starts with `{` or `[` is parsed; anything
 * else is kept as a JSON string, so a textarea holding `hello` or `42`
 * stores exactly the text typed. Text that starts like an object or array
 * but does not parse is a `format` issue rather than a silently kept string.
 */
import { MAX_JSON_DEPTH } from '../../util/json-size.js';
import type { FieldTypeImpl } from '../field-type.js';
import { fail, ok } from './result.js';

/** What `fromForm` hands to `check` for object-like text that is not valid JSON. */
class UnparsedJson {
  constructor(readonly reason: string) {}
}

/** Arrays and objects a value may nest: its record is one level more, and must fit back into a JSON body. */
const MAX_DEPTH = MAX_JSON_DEPTH - 1;

/** True when the value is plain JSON data (what JSON.parse can produce), nesting at most MAX_DEPTH containers. */
function isJsonValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth + 1 > MAX_DEPTH) return false;
      if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      return Object.values(value).every((item) => isJsonValue(item, depth + 1));
    }
    default:
      return false;
  }
}

export const json: FieldTypeImpl = {
  type: 'json',
  constraints: [],
  storage: 'json',
  check(value) {
    if (value instanceof UnparsedJson) return fail('format', `must be valid JSON (${value.reason})`);
    return isJsonValue(value, 0)
      ? ok(value)
      : fail('type', `must be a JSON value nested at most ${MAX_DEPTH} levels deep`);
  },
  fromForm(value) {
    const start = value.trimStart()[0];
    if (start !== '{' && start !== '[') return value;
    try {
      return JSON.parse(value);
    } catch (err) {
      return new UnparsedJson((err as Error).message);
    }
  },
  jsonSchema: () => ({}),
};
