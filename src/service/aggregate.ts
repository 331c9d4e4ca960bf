/**
 * Checking what an aggregate asks for before the store runs it: which
 * fields may be grouped by and summed, and how many of each. Every mistake
 * is a 400 naming the field, so a page's totals never fail as a 500.
 */
import type { AggregateOptions } from '../config/app-types.js';
import type { CollectionDef, FieldType } from '../schema/types.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { Problem } from '../util/problem.js';

/** Most fields one aggregate may group by. */
export const MAX_GROUP_BY = 5;
/** Most fields one aggregate may add up. */
export const MAX_SUMS = 10;

/** Types whose values make groups: discrete ones (a number field would make one group per value). */
const GROUPABLE: ReadonlySet<FieldType> = new Set([
  'text',
  'select',
  'boolean',
  'integer',
  'date',
  'relation',
]);
const SUMMABLE: ReadonlySet<FieldType> = new Set(['integer', 'number']);

/** Every row has a `count`: a field of that name would be hidden by it. */
const COUNT = 'count';

export interface AggregateFields {
  groupBy: string[];
  sum: string[];
}

function badQuery(detail: string): Problem {
  return new Problem('invalidQuery', detail);
}

function names(value: unknown, what: string, max: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw badQuery(`Aggregate ${what} must be a list of field names.`);
  }
  if (value.length > max) {
    throw badQuery(`Aggregate ${what} names ${value.length} fields; at most ${max} are allowed.`);
  }
  return value as string[];
}

/** One field checked against the types `allowed`; the problem names it. */
function checkField(def: CollectionDef, name: string, what: string, allowed: ReadonlySet<FieldType>): void {
  const field = Object.hasOwn(def.fields, name) ? def.fields[name] : undefined;
  const quoted = JSON.stringify(name);
  if (!field) throw badQuery(`Cannot ${what} ${quoted}: ${def.name} has no such field.`);
  if (!allowed.has(field.type) || field.multiple === true) {
    const kind = field.multiple === true ? `a multiple ${field.type}` : `a ${field.type}`;
    throw badQuery(
      `Cannot ${what} ${quoted}: it is ${kind} field; ${what} takes ${[...allowed].join(', ')}.`,
    );
  }
  if (name === COUNT) {
    throw badQuery(`Cannot ${what} ${quoted}: every aggregate row already has a "count" member.`);
  }
}

/** The groupBy and sum fields of an aggregate, checked; 400 naming the first field that cannot be used. */
export function aggregateFields(def: CollectionDef, options: AggregateOptions): AggregateFields {
  if (!isPlainObject(options)) {
    throw badQuery('Aggregate options must be an object with groupBy (and optionally sum and filter).');
  }
  if (options.filter !== undefined && typeof options.filter !== 'string') {
    throw badQuery('Aggregate filter must be a filter expression, as a string.');
  }
  const groupBy = names(options.groupBy, 'groupBy', MAX_GROUP_BY);
  const sum = names(options.sum, 'sum', MAX_SUMS);
  const seen = new Set<string>();
  for (const [list, what, allowed] of [
    [groupBy, 'group by', GROUPABLE],
    [sum, 'sum', SUMMABLE],
  ] as const) {
    for (const name of list) {
      checkField(def, name, what, allowed);
      // A row has one member per name: the same name twice would overwrite itself.
      if (seen.has(name)) throw badQuery(`Field ${JSON.stringify(name)} is named twice in the aggregate.`);
      seen.add(name);
    }
  }
  return { groupBy, sum };
}
