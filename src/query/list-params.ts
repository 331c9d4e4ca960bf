/**
 * The query parameters of a list request (`GET /api/{collection}`), checked
 * strictly: anything not understood is a 400, never silently ignored.
 */
import type { StorageKind } from '../schema/field-type.js';
import { Problem } from '../util/problem.js';
import type { CompareOp, Expr, Literal } from './ast.js';
import { parseCursor } from './cursor.js';
import { filterError, quoteSnippet } from './filter-error.js';
import type { ListField, SortKey } from './list-types.js';
import { parseFilter } from './parser.js';

export type { ListField, SortKey } from './list-types.js';

export interface ListInfo {
  /** The fields a caller may query, including `id`, `created` and `updated`. */
  fields: Record<string, ListField>;
  maxPerPage?: number;
  /** Most comparisons in `filter` and shorthand equalities together (limits.filterTerms). */
  maxFilterTerms?: number;
  /**
   * Fields hidden from this caller in some records: they may not be
   * filtered, sorted or expanded by (so their values cannot be probed); a
   * field in `fields` as well may still be picked in `fields`.
   */
  hidden?: ReadonlySet<string>;
}

export interface ListParams {
  /** The `filter` parameter AND-ed with shorthand equalities (`?author=Herbert`). */
  filter: Expr | null;
  sort: SortKey[];
  page: number;
  perPage: number;
  fields: string[] | null;
  expand: string[];
  skipTotal: boolean;
  /**
   * `after=<cursor>`: the sort key values (and id) the page starts after,
   * or null. With it the rows come from the cursor and `page` only labels them.
   */
  after: unknown[] | null;
  /** Rows to skip, when it is not `(page - 1) * perPage` (json-server's `_start`, simple REST's `range`). */
  offset?: number;
}

export type QueryValues = Record<string, string | string[] | undefined>;

export const DEFAULT_PER_PAGE = 20;
export const DEFAULT_MAX_PER_PAGE = 500;
/** The default of limits.filterTerms. */
export const DEFAULT_MAX_FILTER_TERMS = 100;

/** Query parameters with a meaning of their own: never shorthand equalities, even where a field has their name. */
export const RESERVED_PARAMS: ReadonlySet<string> = new Set([
  'filter',
  'sort',
  'page',
  'perPage',
  'skipTotal',
  'fields',
  'expand',
  'after',
]);

const DIGITS = /^[0-9]+$/;

function single(key: string, raw: string | string[]): string {
  if (typeof raw === 'string') return raw;
  if (raw.length === 1) return raw[0];
  throw new Problem('invalidQuery', `Query parameter "${key}" is given more than once`);
}

function wholeNumber(key: string, raw: string, max: number): number {
  const value = DIGITS.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= max)) {
    throw new Problem(
      'invalidQuery',
      `Invalid ${key} ${JSON.stringify(raw)}: expected a whole number from 1 to ${max}`,
    );
  }
  return value;
}

/** Comma-separated names (several occurrences of the key add up), each checked by `check`. */
function names(key: string, raw: string | string[], check: (name: string) => void): string[] {
  const out: string[] = [];
  for (const part of (typeof raw === 'string' ? [raw] : raw).join(',').split(',')) {
    const name = part.trim();
    if (name === '') throw new Problem('invalidQuery', `Empty name in ${key}=${JSON.stringify(raw)}`);
    check(name);
    out.push(name);
  }
  return out;
}

/** A field the caller may filter, sort and expand by. */
function queryable(info: ListInfo, name: string): boolean {
  return Object.hasOwn(info.fields, name) && !info.hidden?.has(name);
}

/** 400, as for an unknown field, when a filter names a field hidden from the caller. */
export function refuseHiddenInFilter(expr: Expr | null, hidden: ReadonlySet<string> | undefined): void {
  if (expr === null || !hidden || hidden.size === 0) return;
  if (expr.kind !== 'cmp') {
    refuseHiddenInFilter(expr.left, hidden);
    refuseHiddenInFilter(expr.right, hidden);
    return;
  }
  for (const side of [expr.left, expr.right]) {
    if (side.kind === 'field' && hidden.has(side.name)) {
      throw filterError(`Unknown field ${quoteSnippet(side.name)} at position ${side.pos}`, side.pos);
    }
  }
}

function parseSort(raw: string, info: ListInfo): SortKey[] {
  const seen = new Set<string>();
  return names('sort', raw, () => {}).map((item) => {
    const desc = item.startsWith('-');
    const field = desc ? item.slice(1) : item;
    if (!queryable(info, field)) {
      throw new Problem('invalidQuery', `Cannot sort by unknown field ${JSON.stringify(field)}`);
    }
    if (seen.has(field)) throw new Problem('invalidQuery', `Field ${JSON.stringify(field)} is in sort twice`);
    seen.add(field);
    return { field, desc };
  });
}

function parseBoolean(key: string, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Problem('invalidQuery', `Invalid ${key} ${JSON.stringify(raw)}: expected true or false`);
}

/** The converted value if it is what the column stores, else `undefined`. */
function asLiteral(value: unknown, storage: StorageKind): Literal | undefined {
  if (storage === 'text') return typeof value === 'string' ? value : undefined;
  if (storage === 'boolean') return typeof value === 'boolean' ? value : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * A query-string value as the literal a comparison with `name` takes, typed
 * the way the field stores it; a 400 naming the field when it does not fit.
 */
export function queryLiteral(name: string, raw: string, field: ListField): Literal {
  const quoted = JSON.stringify(name);
  if (field.multiple || field.storage === 'json') {
    throw new Problem(
      'invalidQuery',
      `Field ${quoted} holds ${field.multiple ? 'several values' : 'JSON'}; ` +
        `use filter=${name} ~ "…" instead of ${name}=…`,
    );
  }
  // An empty form value means "no value", as it does for record bodies.
  const value = raw === '' ? null : asLiteral(field.fromString(raw), field.storage);
  if (value === undefined) {
    const wanted =
      field.storage === 'boolean' ? 'true or false' : field.storage === 'text' ? 'text' : 'a number';
    throw new Problem('invalidQuery', `Value ${JSON.stringify(raw)} for ${quoted} is not ${wanted}`);
  }
  return value;
}

/** The comparison `name op value`. */
export function comparison(name: string, op: CompareOp, value: Literal): Expr {
  return {
    kind: 'cmp',
    op,
    left: { kind: 'field', name, pos: 0 },
    right: { kind: 'literal', value, pos: 0 },
    pos: 0,
  };
}

/** `?field=value` as the comparison `field = value`, typed the way the field stores it. */
function shorthand(name: string, raw: string, field: ListField): Expr {
  return comparison(name, '=', queryLiteral(name, raw, field));
}

/** What to say about a json-server parameter sent outside the json-server mode (`raw`: its first value). */
function jsonServerHint(key: string, raw: string, query: QueryValues): string {
  const fieldOp = /^(.+)_(like|gte|lte|ne)$/.exec(key);
  const value = (v: string) => (/^-?[0-9]+(\.[0-9]+)?$/.test(v) ? v : JSON.stringify(v));
  let instead: string | undefined;
  if (fieldOp) {
    const [, field, op] = fieldOp;
    const ops: Record<string, string> = { like: '~', gte: '>=', lte: '<=', ne: '!=' };
    instead = `filter=${field} ${ops[op]} ${op === 'like' ? JSON.stringify(raw) : value(raw)}`;
  } else if (key === '_sort' || key === '_order') {
    const field = typeof query._sort === 'string' ? query._sort : 'field';
    const desc = typeof query._order === 'string' && query._order.toLowerCase() === 'desc';
    instead = `sort=${desc ? '-' : ''}${field} (a - before a field sorts it descending)`;
  } else if (['_page', '_limit', '_per_page', '_start', '_end'].includes(key)) instead = 'page and perPage';
  else if (key === '_embed' || key === '_expand') instead = 'expand=<relation field>';
  else if (key === 'q') instead = `filter=<text field> ~ ${JSON.stringify(raw)}`;
  if (instead === undefined) return '';
  return `; use ${instead} instead (json-server's query language is spoken under jsonServer: true)`;
}

/** How many query parameters are shorthand equalities (`?author=Herbert`). */
function countShorthands(query: QueryValues, known: (name: string) => boolean): number {
  let count = 0;
  for (const [key, raw] of Object.entries(query)) {
    if (raw !== undefined && !RESERVED_PARAMS.has(key) && known(key)) count++;
  }
  return count;
}

/** Parses and checks list query parameters; every mistake is a 400 (`invalidQuery` or `invalidFilter`). */
export function parseListParams(query: QueryValues, info: ListInfo): ListParams {
  const maxPerPage = info.maxPerPage ?? DEFAULT_MAX_PER_PAGE;
  const maxPage = Math.floor(Number.MAX_SAFE_INTEGER / maxPerPage);
  const params: ListParams = {
    filter: null,
    sort: [],
    page: 1,
    perPage: DEFAULT_PER_PAGE,
    fields: null,
    expand: [],
    skipTotal: false,
    after: null,
  };
  let after: string | undefined;
  const equalities: Expr[] = [];
  const known = (name: string): boolean => queryable(info, name);
  const selectable = (name: string): boolean => Object.hasOwn(info.fields, name);
  const maxTerms = info.maxFilterTerms ?? DEFAULT_MAX_FILTER_TERMS;
  const shorthands = countShorthands(query, known);
  if (shorthands > maxTerms) {
    throw filterError(
      `Too many comparisons: ${shorthands} shorthand equalities (?field=value), more than the ` +
        `${maxTerms} a filter may hold (limits.filterTerms), at position 0`,
      0,
      'limits.filterTerms',
    );
  }
  for (const [key, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    if (key === 'filter')
      params.filter = parseFilter(single(key, raw), { maxTerms, termsBefore: shorthands });
    else if (key === 'sort') params.sort = parseSort(single(key, raw), info);
    // Capped so that the row offset, (page - 1) * perPage, stays an exact integer.
    else if (key === 'page') params.page = wholeNumber(key, single(key, raw), maxPage);
    else if (key === 'perPage') params.perPage = wholeNumber(key, single(key, raw), maxPerPage);
    else if (key === 'skipTotal') params.skipTotal = parseBoolean(key, single(key, raw));
    else if (key === 'after') after = single(key, raw);
    else if (key === 'fields') {
      const picked = names(key, raw, (name) => {
        if (!selectable(name))
          throw new Problem('invalidQuery', `Unknown field ${JSON.stringify(name)} in fields`);
      });
      params.fields = [...new Set(picked)];
    } else if (key === 'expand') {
      const relations = names(key, raw, (name) => {
        if (!known(name))
          throw new Problem('invalidQuery', `Unknown field ${JSON.stringify(name)} in expand`);
        if (info.fields[name].relation === undefined) {
          throw new Problem(
            'invalidQuery',
            `Cannot expand ${JSON.stringify(name)}: it is not a relation field`,
          );
        }
      });
      params.expand = [...new Set(relations)];
    } else if (known(key)) equalities.push(shorthand(key, single(key, raw), info.fields[key]));
    else
      throw new Problem(
        'invalidQuery',
        `Unknown query parameter ${JSON.stringify(key)}${jsonServerHint(key, typeof raw === 'string' ? raw : (raw[0] ?? ''), query)}`,
      );
  }
  refuseHiddenInFilter(params.filter, info.hidden);
  // Read last: the cursor is checked against the sort, whichever order the parameters came in.
  if (after !== undefined) params.after = parseCursor(after, params.sort, info.fields);
  for (const equality of equalities) {
    params.filter =
      params.filter === null ? equality : { kind: 'and', left: params.filter, right: equality, pos: 0 };
  }
  return params;
}
