/**
 * ra-data-simple-rest's list parameters (`sort=["title","ASC"]`,
 * `range=[0,9]`, `filter={…}`), read into what json-server-query.ts
 * compiles: each a JSON value, checked, or a 400 saying what is taken.
 */
import { isPlainObject } from '../util/is-plain-object.js';
import { Problem } from '../util/problem.js';

function problem(detail: string): Problem {
  return new Problem('invalidQuery', detail);
}

function parseJson(key: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw problem(`Query parameter ${key} is not valid JSON: ${JSON.stringify(raw.slice(0, 40))}`);
  }
}

/** simple REST's `filter={"q":"x","id":[1,2]}` as the parameters it stands for. */
export function simpleRestFilter(raw: string): Record<string, string[]> {
  const value = parseJson('filter', raw);
  if (!isPlainObject(value)) {
    throw problem('filter must be a JSON object, e.g. filter={"title_like":"dune","id":[1,2]}');
  }
  const out: Record<string, string[]> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const items = Array.isArray(v) ? v : [v];
    if (items.some((item) => item !== null && typeof item === 'object')) {
      throw problem(`filter.${key} must be text, a number, a boolean or a list of them`);
    }
    out[key] = items.map((item) => (item === null ? '' : String(item)));
  }
  return out;
}

export function simpleRestSort(raw: string): { field: string; order: string } {
  const value = parseJson('sort', raw);
  if (!Array.isArray(value) || value.length !== 2 || value.some((v) => typeof v !== 'string')) {
    throw problem('sort must be a JSON pair ["field","ASC"|"DESC"]');
  }
  return { field: value[0], order: value[1] };
}

export function simpleRestRange(raw: string, max: number): { offset: number; limit: number } {
  const value = parseJson('range', raw);
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => Number.isSafeInteger(v) && v >= 0)) {
    throw problem('range must be a JSON pair of whole numbers [first, last], e.g. range=[0,9]');
  }
  const [first, last] = value as [number, number];
  if (last < first) throw problem(`range ${raw} ends before it starts`);
  if (last - first + 1 > max)
    throw problem(`range ${raw} asks for more than the ${max} records a page may hold`);
  return { offset: first, limit: last - first + 1 };
}
