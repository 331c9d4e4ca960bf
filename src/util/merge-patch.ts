import { isPlainObject } from './is-plain-object.js';

/** RFC 7396 JSON Merge Patch. Returns a new value; never mutates its inputs. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? copy(target) : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete result[key];
    else defineOwn(result, key, mergePatch(result[key], value));
  }
  return result;
}

function copy(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) defineOwn(out, key, source[key]);
  return out;
}

/** Set an own property even for `__proto__`, so a body can never reach a prototype. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
