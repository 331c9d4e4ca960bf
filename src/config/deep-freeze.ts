/** Freezes a config tree so no layer can change what every other layer reads. */

/** Freezes objects and arrays recursively; functions (hooks) are left as they are. */
export function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item, seen);
  return value;
}
