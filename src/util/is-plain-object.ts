/** A JSON object (or any non-null, non-array object): what a record, a patch or a request body must be. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
