/**
 * Sizes of JSON values as JSON.stringify writes them (UTF-8 bytes), and
 * deep copies that stop as soon as a value outgrows its budget, so no
 * request can make the server copy more than it was allowed to.
 */

/** Deepest nesting of arrays and objects a JSON body or a record may have (the root counts as 1). */
export const MAX_JSON_DEPTH = 64;

/** A value outgrew the bytes or the nesting depth it was given. */
export class JsonBudgetExceeded extends Error {
  constructor(readonly budget: 'bytes' | 'depth') {
    super(`the value exceeds its ${budget === 'bytes' ? 'size' : 'depth'} budget`);
    this.name = 'JsonBudgetExceeded';
  }
}

/** UTF-8 bytes of a string. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** UTF-8 bytes of a value serialised as JSON (0 for what JSON cannot hold). */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : utf8Bytes(text);
}

/** Strings up to this long are measured in a loop; longer ones natively, where the loop would cost more. */
const SHORT = 128;

/** UTF-8 bytes of a string written as a JSON string literal, quotes and escapes included. */
export function jsonStringBytes(text: string): number {
  // Keys and short values are mostly printable ASCII: counted without building the escaped copy.
  if (text.length <= SHORT) {
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
    }
    if (i === text.length) return text.length + 2;
  }
  return utf8Bytes(JSON.stringify(text));
}

export interface WalkBudget {
  /** Bytes the walk may count before it stops (Infinity for none). */
  maxBytes: number;
  /** Nesting the value itself may have: 0 allows only scalars, 1 an object of scalars. */
  maxDepth: number;
  /** Filled with the member count of every object copied, when given. */
  counts?: WeakMap<object, number>;
}

export interface Walked {
  /** The copy (or the value itself when only measured). */
  value: unknown;
  /** Its JSON size in UTF-8 bytes. */
  bytes: number;
  /** Its deepest nesting of arrays and objects (0 for a scalar). */
  depth: number;
}

/**
 * A deep copy of a JSON value with its size and depth, built in one pass
 * that throws JsonBudgetExceeded the moment the copy outgrows the budget:
 * a copy never costs more than the budget it was given.
 */
export function cloneWithin(value: unknown, budget: WalkBudget): Walked {
  return walk(value, budget, true);
}

/** The size and depth of a JSON value, in the same bounded pass as cloneWithin but without copying. */
export function measureWithin(value: unknown, budget: WalkBudget): Walked {
  return walk(value, budget, false);
}

function walk(value: unknown, budget: WalkBudget, copy: boolean): Walked {
  const state = { bytes: 0, deepest: 0 };
  const { maxBytes, maxDepth, counts } = budget;
  const add = (n: number) => {
    state.bytes += n;
    if (state.bytes > maxBytes) throw new JsonBudgetExceeded('bytes');
  };
  // Recursion is as deep as the value, and the value may be no deeper than maxDepth.
  const visit = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      add(jsonStringBytes(v));
      return v;
    }
    if (typeof v === 'number') {
      add(Number.isFinite(v) ? String(v).length : 4);
      return v;
    }
    if (typeof v === 'boolean') {
      add(v ? 4 : 5);
      return v;
    }
    if (v === null || typeof v !== 'object') {
      add(4); // null, and anything JSON cannot hold, which it writes as null in an array.
      return v;
    }
    if (depth + 1 > maxDepth) throw new JsonBudgetExceeded('depth');
    if (depth + 1 > state.deepest) state.deepest = depth + 1;
    if (Array.isArray(v)) {
      add(v.length === 0 ? 2 : v.length + 1);
      const out: unknown[] | undefined = copy ? new Array(v.length) : undefined;
      for (let i = 0; i < v.length; i++) {
        const item = visit(v[i], depth + 1);
        if (out) out[i] = item;
      }
      return out ?? v;
    }
    const source = v as Record<string, unknown>;
    const keys = Object.keys(source);
    add(keys.length === 0 ? 2 : keys.length + 1);
    const out: Record<string, unknown> | undefined = copy ? {} : undefined;
    for (const key of keys) {
      add(jsonStringBytes(key) + 1);
      const item = visit(source[key], depth + 1);
      if (!out) continue;
      // A parsed `__proto__` key is data: assignment would set the copy's prototype instead.
      if (key === '__proto__') {
        Object.defineProperty(out, key, {
          value: item,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else out[key] = item;
    }
    counts?.set(out ?? source, keys.length);
    return out ?? v;
  };
  const result = visit(value, 0);
  return { value: result, bytes: state.bytes, depth: state.deepest };
}
