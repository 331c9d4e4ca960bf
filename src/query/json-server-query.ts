/**
 * json-server's query language (0.17: `field=value`, `_ne`, `_gte`, `_lte`,
 * `_like`, `q`, `_sort`/`_order`, `_page`/`_limit`/`_per_page`,
 * `_start`/`_end`, `_embed`, `_expand`) and ra-data-simple-rest's
 * (`sort=["f","ASC"]`, `range=[0,9]`, `filter={…}`), compiled into our own
 * list parameters: the same filter AST, SQL, indexes and bounds as /api.
 */
import { Problem } from '../util/problem.js';
import type { Expr } from './ast.js';
import { filterError } from './filter-error.js';
import {
  comparison,
  DEFAULT_MAX_FILTER_TERMS,
  DEFAULT_MAX_PER_PAGE,
  type ListInfo,
  type ListParams,
  type QueryValues,
  queryLiteral,
  refuseHiddenInFilter,
} from './list-params.js';
import type { SortKey } from './list-types.js';
import { parseFilter } from './parser.js';
import { simpleRestFilter, simpleRestRange, simpleRestSort } from './simple-rest-query.js';

/** json-server's page size when `_page` comes without `_limit`. */
export const JSON_SERVER_PER_PAGE = 10;

export interface JsonServerInfo extends ListInfo {
  /** Fields holding whole-number ids (of `ids: "increment"` collections), sorted by value. */
  numeric: ReadonlySet<string>;
  /** Fields `q` searches (text, one value each). */
  searchable: readonly string[];
  /** `_embed` names this collection takes: a child's json-server name → its relation field pointing here. */
  embeds: Readonly<Record<string, string>>;
  /** `_expand` names: parent name (`post`) → the relation field holding it (`postId`). */
  expands: Readonly<Record<string, string>>;
}

export interface JsonServerQuery {
  params: ListParams;
  /** `_page` was given: the answer carries first/prev/next/last links. */
  paged: boolean;
  /** simple REST's `range` was given: the answer carries Content-Range. */
  range: boolean;
  /** Child collections to embed. */
  embed: string[];
  /** Parents to expand, as `{name, field}`. */
  expand: { name: string; field: string }[];
}

const INTEGER = /^(0|[1-9][0-9]*)$/;
const OPS = { ne: '!=', gte: '>=', lte: '<=' } as const;
const PAGING = new Set(['_page', '_limit', '_per_page', '_start', '_end', 'range']);

function problem(detail: string): Problem {
  return new Problem('invalidQuery', detail);
}

function valuesOf(raw: string | string[]): string[] {
  return typeof raw === 'string' ? [raw] : raw;
}

function one(key: string, raw: string | string[]): string {
  const all = valuesOf(raw);
  if (all.length !== 1) throw problem(`Query parameter "${key}" is given more than once`);
  return all[0];
}

function count(key: string, raw: string, min: number, max: number): number {
  const value = INTEGER.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw problem(`Invalid ${key} ${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function fieldOf(info: JsonServerInfo, name: string, key: string) {
  if (!Object.hasOwn(info.fields, name) || info.hidden?.has(name)) {
    throw problem(`Unknown field ${JSON.stringify(name)} in query parameter ${JSON.stringify(key)}`);
  }
  return info.fields[name];
}

function or(terms: Expr[]): Expr {
  return terms.reduce((left, right) => ({ kind: 'or', left, right, pos: 0 }));
}

function and(left: Expr | null, right: Expr): Expr {
  return left === null ? right : { kind: 'and', left, right, pos: 0 };
}

/**
 * `_like` takes a regular expression in json-server; the part our filter can
 * say is text matched anywhere (`dune`), at the start (`^dune`) or at the
 * end (`dune$`), ignoring case as json-server does.
 */
function like(key: string, name: string, pattern: string): Expr {
  const start = pattern.startsWith('^');
  const end = pattern.endsWith('$') && pattern.length > (start ? 1 : 0);
  const text = pattern.slice(start ? 1 : 0, end ? -1 : undefined);
  if ((start && end) || text === '' || /[\\^$.*+?()[\]{}|]/.test(text)) {
    throw problem(
      `${key}=${JSON.stringify(pattern)} is more of a regular expression than ${key} takes here: ` +
        'text matched anywhere (dune), at the start (^dune) or at the end (dune$), ignoring case; ' +
        'no ., *, +, ?, |, brackets or backslashes, and not ^ and $ together',
    );
  }
  return comparison(name, start ? '^~' : end ? '~$' : '~', text);
}

/** One `field[_op]=value` parameter as a filter term (several values: any of them). */
function term(key: string, raw: string | string[], info: JsonServerInfo): Expr {
  const suffixed = /^(.+)_(ne|gte|lte|like)$/.exec(key);
  const direct = Object.hasOwn(info.fields, key);
  const name = suffixed && !direct ? suffixed[1] : key;
  const op = suffixed && !direct ? (suffixed[2] as 'ne' | 'gte' | 'lte' | 'like') : 'eq';
  if (!Object.hasOwn(info.fields, name) && !suffixed) {
    throw problem(
      `Unknown query parameter ${JSON.stringify(key)}: it is no field of this collection, ` +
        'nor one of _sort, _order, _page, _limit, _per_page, _start, _end, _embed, _expand, q, ' +
        'field_ne, field_gte, field_lte, field_like',
    );
  }
  const field = fieldOf(info, name, key);
  const terms = valuesOf(raw).map((value) => {
    if (op === 'like') return like(key, name, value);
    const literal = queryLiteral(name, value, field);
    return comparison(name, op === 'eq' ? '=' : OPS[op], literal);
  });
  // `id=1&id=2` is any of them; `year_ne=1&year_ne=2` neither (json-server keeps what passes every one).
  if (op === 'eq') return or(terms);
  return terms.reduce((left, right) => ({ kind: 'and', left, right, pos: 0 }));
}

function search(raw: string, info: JsonServerInfo): Expr {
  if (info.searchable.length === 0) throw problem('q searches text fields, and this collection has none');
  return or(info.searchable.map((name) => comparison(name, '~', raw)));
}

function sortKeys(fields: string[], orders: string[], info: JsonServerInfo) {
  const seen = new Set<string>();
  return fields.map((item, i) => {
    const minus = item.startsWith('-');
    const field = minus ? item.slice(1) : item;
    fieldOf(info, field, '_sort');
    if (seen.has(field)) throw problem(`Field ${JSON.stringify(field)} is in _sort twice`);
    seen.add(field);
    const order = (orders[i] ?? 'asc').toLowerCase();
    if (order !== 'asc' && order !== 'desc') {
      throw problem(`Invalid _order ${JSON.stringify(orders[i])}: expected asc or desc`);
    }
    // json-server (lodash's orderBy) puts missing values last ascending, and numbers in their order.
    return { field, desc: minus !== (order === 'desc'), missingLast: true, numeric: info.numeric.has(field) };
  });
}

/** Ties go by id, as json-server's stable sort keeps them in the order they were made: by value for whole numbers. */
function withIdLast(keys: SortKey[], info: JsonServerInfo): SortKey[] {
  if (keys.length === 0 || keys.some((k) => k.field === 'id') || !info.numeric.has('id')) return keys;
  return [...keys, { field: 'id', desc: false, numeric: true }];
}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function names(key: string, raw: string | string[], known: Readonly<Record<string, string>>): string[] {
  const out = valuesOf(raw).flatMap(list);
  for (const name of out) {
    if (!Object.hasOwn(known, name)) {
      const which = Object.keys(known);
      throw problem(
        `Cannot ${key.slice(1)} ${JSON.stringify(name)}: ` +
          (which.length === 0
            ? 'this collection has none to offer'
            : `this collection offers ${which.join(', ')}`),
      );
    }
  }
  return [...new Set(out)];
}

/** Translate a json-server (or simple REST) query; every mistake is a 400 naming the parameter. */
export function parseJsonServerQuery(query: QueryValues, info: JsonServerInfo): JsonServerQuery {
  const max = info.maxPerPage ?? DEFAULT_MAX_PER_PAGE;
  const maxTerms = info.maxFilterTerms ?? DEFAULT_MAX_FILTER_TERMS;
  let filter: Expr | null = null;
  let terms = 0;
  let sortFields: string[] = [];
  let sortOrders: string[] = [];
  let embed: string[] = [];
  let expand: { name: string; field: string }[] = [];
  const paging: Record<string, string> = {};
  const entries = Object.entries(query).filter((e): e is [string, string | string[]] => e[1] !== undefined);
  for (let i = 0; i < entries.length; i++) {
    const [key, raw] = entries[i];
    if (PAGING.has(key)) paging[key] = one(key, raw);
    else if (key === '_sort') sortFields = valuesOf(raw).flatMap(list);
    else if (key === '_order') sortOrders = valuesOf(raw).flatMap(list);
    else if (key === 'sort') {
      const { field, order } = simpleRestSort(one(key, raw));
      sortFields = [field];
      sortOrders = [order];
    } else if (key === 'filter') {
      const text = one(key, raw);
      // Our own filter language is spoken here too; a JSON object is simple REST's.
      if (text.trimStart().startsWith('{')) entries.push(...Object.entries(simpleRestFilter(text)));
      else filter = and(filter, parseFilter(text, { maxTerms, termsBefore: terms }));
    } else if (key === 'q') {
      terms += info.searchable.length;
      filter = and(filter, search(one(key, raw), info));
    } else if (key === '_embed') embed = names(key, raw, info.embeds);
    else if (key === '_expand') {
      expand = names(key, raw, info.expands).map((name) => ({ name, field: info.expands[name] }));
    } else {
      terms += valuesOf(raw).length;
      filter = and(filter, term(key, raw, info));
    }
    if (terms > maxTerms) {
      throw filterError(
        `Too many comparisons: more than the ${maxTerms} a filter may hold (limits.filterTerms)`,
        0,
        'limits.filterTerms',
      );
    }
  }
  refuseHiddenInFilter(filter, info.hidden);
  const params: ListParams = {
    filter,
    sort: withIdLast(sortKeys(sortFields, sortOrders, info), info),
    page: 1,
    perPage: max,
    fields: null,
    expand: [...new Set(expand.map((e) => e.field))],
    skipTotal: false,
    after: null,
  };
  const paged = paging._page !== undefined;
  const range = paging.range !== undefined;
  if ([paged, range, paging._start !== undefined || paging._end !== undefined].filter(Boolean).length > 1) {
    throw problem('Page with one of _page, _start/_end or range, not several');
  }
  if (paging._limit !== undefined && paging._per_page !== undefined) {
    throw problem('_limit and _per_page say the same thing: give one');
  }
  const size = paging._limit ?? paging._per_page;
  const sizeKey = paging._limit !== undefined ? '_limit' : '_per_page';
  if (paged) {
    params.perPage = size === undefined ? JSON_SERVER_PER_PAGE : count(sizeKey, size, 1, max);
    params.page = count('_page', paging._page, 1, Math.floor(Number.MAX_SAFE_INTEGER / max));
  } else if (range) {
    const { offset, limit } = simpleRestRange(paging.range, max);
    params.offset = offset;
    params.perPage = limit;
  } else {
    const start =
      paging._start === undefined ? 0 : count('_start', paging._start, 0, Number.MAX_SAFE_INTEGER);
    if (paging._end !== undefined) {
      const end = count('_end', paging._end, 0, Number.MAX_SAFE_INTEGER);
      if (end <= start) throw problem(`_end=${end} must be past _start=${start}`);
      if (end - start > max) {
        throw problem(`_start=${start}&_end=${end} asks for more than the ${max} records a page may hold`);
      }
      params.perPage = end - start;
    } else if (size !== undefined) params.perPage = count(sizeKey, size, 1, max);
    params.offset = start;
  }
  return { params, paged, range, embed, expand };
}
