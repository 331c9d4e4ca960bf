/**
 * Reading records: one record, or a page of a list, with the caller's view
 * and list rules applied in SQL, field selection and relation expansion.
 */

import type { AggregateOptions } from '../config/app-types.js';
import type { Limits } from '../config/types.js';
import { bindAuth } from '../query/bind-auth.js';
import { encodeCursor } from '../query/cursor.js';
import { type ListInfo, type ListParams, refuseHiddenInFilter } from '../query/list-params.js';
import { parseFilter } from '../query/parser.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import { fieldType } from '../schema/fields/index.js';
import type { AggregateRow, RecordData } from '../schema/types.js';
import { ReadTooLarge } from '../store/errors.js';
import type { CachedRecord } from '../store/record-cache.js';
import type { StoreReader } from '../store/store.js';
import { httpDate } from '../util/http-date.js';
import { overLimit, Problem } from '../util/problem.js';
import { aggregateFields } from './aggregate.js';
import { findCollection } from './collections.js';
import type { RequestContext } from './context.js';
import { access, restrict } from './rules.js';
import { unqueryableFields, unseenFields, viewVariant, visibleJson, visibleRecord } from './visibility.js';

export interface ReadOptions {
  fields: readonly string[] | null;
  expand: readonly string[];
}

export interface ListPage {
  items: Record<string, unknown>[];
  page: number;
  perPage: number;
  totalItems: number | null;
  totalPages: number | null;
}

export interface RecordReaderDeps {
  store: StoreReader;
  schema: ReadonlyMap<string, CompiledCollection>;
  /** How many related records one read may expand, and how many bytes it may load; how many comparisons one filter may hold. */
  limits: Pick<Limits, 'expand' | 'filterTerms' | 'response'>;
}

export class RecordReader {
  private readonly infos = new Map<string, ListInfo>();

  constructor(private readonly deps: RecordReaderDeps) {}

  /**
   * The queryable fields of a collection, for parsing list parameters: as
   * `ctx` may see them (fields hidden from it are unknown to it), or all of
   * them without a caller.
   */
  listInfo(name: string, ctx?: RequestContext): ListInfo {
    const info = this.allFields(name);
    if (!ctx) return info;
    const { def } = findCollection(this.deps.schema, name);
    const hidden = unqueryableFields(def, ctx);
    if (hidden.size === 0) return info;
    const unseen = unseenFields(def, ctx);
    const key = `${name}\u0000${[...unseen].join(',')}`;
    let restricted = this.infos.get(key);
    if (!restricted) {
      const fields = { ...info.fields };
      for (const f of unseen) delete fields[f];
      restricted = { ...info, fields, hidden };
      this.infos.set(key, restricted);
    }
    return restricted;
  }

  private allFields(name: string): ListInfo {
    let info = this.infos.get(name);
    if (info) return info;
    const { def } = findCollection(this.deps.schema, name);
    const text = { storage: 'text' as const, multiple: false, fromString: (v: string) => v };
    info = {
      fields: { id: text, created: text, updated: text },
      maxFilterTerms: this.deps.limits.filterTerms,
    };
    for (const [field, fdef] of Object.entries(def.fields)) {
      const impl = fieldType(fdef.type);
      info.fields[field] = {
        storage: fdef.multiple ? 'json' : impl.storage,
        multiple: fdef.multiple === true,
        relation: fdef.type === 'relation' ? fdef.collection : undefined,
        fromString: (v: string) => impl.fromForm(v, fdef),
      };
    }
    this.infos.set(name, info);
    return info;
  }

  /** One record as the caller may see it; 404 when missing or not viewable. */
  async get(
    ctx: RequestContext,
    name: string,
    id: string,
    options: ReadOptions,
  ): Promise<Record<string, unknown>> {
    const { def } = findCollection(this.deps.schema, name);
    const allowed = access(def, 'view', ctx);
    const record = await this.deps.store.get(name, id, allowed.kind === 'filter' ? allowed.filter : null);
    if (!record) throw notFound(name, id);
    return (await this.represent(ctx, name, [record], options))[0];
  }

  /**
   * One whole record as the caller may see it, as its JSON and ETag; 404
   * when missing or not viewable. Read through the store's record cache when
   * the read does not depend on the caller beyond the view it gets (a rule
   * that filters by the caller does).
   */
  async getJson(ctx: RequestContext, name: string, id: string): Promise<CachedRecord> {
    const { store } = this.deps;
    const { def } = findCollection(this.deps.schema, name);
    const allowed = access(def, 'view', ctx);
    const variant = allowed.kind === 'all' ? viewVariant(def, ctx) : null;
    const cache = variant === null ? null : (store.recordCache?.() ?? null);
    if (cache && variant !== null) {
      const hit = cache.get(name, id, variant);
      if (hit) {
        // An entry with a version is used only while the database still holds that version.
        if (hit.version === undefined || hit.version === (await store.recordVersion?.(name, id))) return hit;
        cache.drop(name, id);
      }
    }
    const stamp = cache?.stamp() ?? 0;
    const filter = allowed.kind === 'filter' ? allowed.filter : null;
    const found =
      cache && store.getVersioned
        ? await store.getVersioned(name, id)
        : { record: await store.get(name, id, filter), version: undefined };
    const record = found?.record;
    if (!record) throw notFound(name, id);
    const { json, etag } = visibleJson(def, ctx, record);
    const updated = record.updated as string | undefined;
    const lastModified = updated ? httpDate(updated) : undefined;
    const read: CachedRecord = { json, etag, updated, lastModified, version: found.version };
    if (cache && variant !== null) cache.put(name, id, variant, read, stamp);
    return read;
  }

  /** A page of records the caller may list. */
  async list(ctx: RequestContext, name: string, params: ListParams): Promise<ListPage> {
    return (await this.listWithCursor(ctx, name, params)).page;
  }

  /**
   * A page and the cursor of its last record (null when the page is not
   * full, so there can be no next page to seek to). On a page reached by a
   * cursor, `more` says whether a row follows it (one extra row is read to
   * know): its `page` is only a label, which concurrent writes can leave
   * past the last page while rows remain, or short of it when none do.
   */
  async listWithCursor(
    ctx: RequestContext,
    name: string,
    params: ListParams,
  ): Promise<{ page: ListPage; next: string | null; more: boolean | null }> {
    const { def } = findCollection(this.deps.schema, name);
    const allowed = access(def, 'list', ctx);
    // A caller's own filter may say `@auth.id` ("my records"); it means the caller, null when anonymous.
    const filter = params.filter && bindAuth(params.filter, ctx.auth);
    // Parsed against listInfo(name, ctx) these never name a hidden field; checked again all the same.
    const hidden = unqueryableFields(def, ctx);
    refuseHiddenInFilter(filter, hidden);
    const hiddenSort = params.sort.find((key) => hidden.has(key.field));
    if (hiddenSort)
      throw new Problem('invalidQuery', `Cannot sort by unknown field ${JSON.stringify(hiddenSort.field)}`);
    const result = await this.bounded(() =>
      this.deps.store.list(name, {
        filter: restrict(filter, allowed),
        sort: params.sort,
        limit: params.after ? params.perPage + 1 : params.perPage,
        // A cursor says where the page starts; page then only labels it.
        offset: params.after ? 0 : (params.offset ?? (params.page - 1) * params.perPage),
        after: params.after,
        count: !params.skipTotal,
        maxBytes: this.deps.limits.response,
      }),
    );
    const more = params.after ? result.items.length > params.perPage : null;
    if (more) result.items.length = params.perPage;
    const items = await this.represent(ctx, name, result.items, params);
    const total = result.total;
    const last = result.items.length === params.perPage ? result.items[result.items.length - 1] : undefined;
    const page: ListPage = {
      items,
      page: params.page,
      perPage: params.perPage,
      totalItems: total,
      totalPages: total === null ? null : Math.ceil(total / params.perPage),
    };
    const next = last ? encodeCursor(last, params.sort, this.allFields(name).fields) : null;
    return { page, next, more };
  }

  /**
   * Totals per group of the records the caller may list, as one grouped
   * query: the list rule is part of its filter, exactly as on a list.
   */
  async aggregate(ctx: RequestContext, name: string, options: AggregateOptions): Promise<AggregateRow[]> {
    const { def } = findCollection(this.deps.schema, name);
    const { groupBy, sum } = aggregateFields(def, options);
    const hidden = unqueryableFields(def, ctx);
    for (const field of [...groupBy, ...sum]) {
      if (hidden.has(field)) {
        throw new Problem(
          'invalidQuery',
          `Cannot use ${JSON.stringify(field)} in an aggregate: ${name} has no such field.`,
        );
      }
    }
    const own =
      options.filter === undefined
        ? null
        : bindAuth(parseFilter(options.filter, { maxTerms: this.deps.limits.filterTerms }), ctx.auth);
    refuseHiddenInFilter(own, hidden);
    const allowed = access(def, 'list', ctx);
    return this.bounded(
      () =>
        this.deps.store.aggregate(name, {
          filter: restrict(own, allowed),
          groupBy,
          sum,
          maxBytes: this.deps.limits.response,
        }),
      'group by fewer or coarser fields, or filter the records',
    );
  }

  /** Apply `fields` and `expand` to records (the full record when neither is asked for). */
  private async represent(
    ctx: RequestContext,
    name: string,
    records: RecordData[],
    options: ReadOptions,
  ): Promise<Record<string, unknown>[]> {
    const { def } = findCollection(this.deps.schema, name);
    const seen = records.map((record) => visibleRecord(def, ctx, record));
    if (options.fields === null && options.expand.length === 0) return seen;
    const expansions = await this.expansions(ctx, name, records, options.expand);
    return seen.map((record, i) => {
      let out: Record<string, unknown> = record;
      if (options.fields) {
        out = {};
        // A field hidden in this record (someone else's email) is left out, not sent as null.
        for (const f of options.fields) if (Object.hasOwn(record, f)) out[f] = record[f];
      }
      if (options.expand.length > 0) out = { ...out, expand: expansions[i] };
      return out;
    });
  }

  /**
   * For each record, the related records it names, as far as the caller may
   * view them. Each related record is read once, however many fields and
   * records name it, and no more than limits.expand of them in all.
   */
  private async expansions(
    ctx: RequestContext,
    name: string,
    records: RecordData[],
    expand: readonly string[],
  ): Promise<Record<string, unknown>[]> {
    const out = records.map(() => ({}) as Record<string, unknown>);
    if (expand.length === 0 || records.length === 0) return out;
    const { def } = findCollection(this.deps.schema, name);
    const hidden = unqueryableFields(def, ctx);
    const wanted = new Map<string, Set<string>>();
    let total = 0;
    for (const field of expand) {
      const fdef = hidden.has(field) ? undefined : def.fields[field];
      const target = fdef?.collection;
      if (fdef?.type !== 'relation' || !target) {
        throw new Problem(
          'invalidQuery',
          `"${field}" is not a relation field of ${name}, so it cannot be expanded.`,
        );
      }
      const ids = wanted.get(target) ?? new Set<string>();
      wanted.set(target, ids);
      for (const r of records) {
        for (const id of idsOf(r[field])) {
          if (ids.has(id)) continue;
          ids.add(id);
          // Counted as they come, so a relation holding thousands of ids is refused without reading them all.
          if (++total > this.deps.limits.expand) throw this.tooManyToExpand();
        }
      }
    }
    const related = new Map<string, Map<string, RecordData>>();
    for (const [target, ids] of wanted) related.set(target, await this.viewable(ctx, target, [...ids]));
    for (const field of expand) {
      const fdef = def.fields[field];
      const found = related.get(fdef.collection as string) as Map<string, RecordData>;
      records.forEach((r, i) => {
        const value = r[field];
        if (fdef.multiple) {
          out[i][field] = idsOf(value)
            .map((id) => found.get(id))
            .filter((x) => x !== undefined);
        } else {
          out[i][field] = typeof value === 'string' ? (found.get(value) ?? null) : null;
        }
      });
    }
    return out;
  }

  private tooManyToExpand(): Problem {
    const max = this.deps.limits.expand;
    return overLimit(
      'invalidQuery',
      `This read would expand more than the ${max} related records one read may expand ` +
        '(limits.expand); ask for fewer records with a smaller perPage, or expand fewer fields.',
      'limits.expand',
    );
  }

  private async viewable(
    ctx: RequestContext,
    collection: string,
    ids: string[],
  ): Promise<Map<string, RecordData>> {
    const found = new Map<string, RecordData>();
    if (ids.length === 0) return found;
    let allowed: ReturnType<typeof access>;
    const { def } = findCollection(this.deps.schema, collection);
    try {
      allowed = access(def, 'view', ctx);
    } catch {
      return found; // Not viewable at all: the relation stays unexpanded.
    }
    // Under a view rule, one query per hundred ids rather than one per id.
    const filter = allowed.kind === 'filter' ? allowed.filter : null;
    const related = await this.bounded(() =>
      this.deps.store.getMany(collection, ids, filter, this.deps.limits.response),
    );
    for (const r of related) found.set(r.id, visibleRecord(def, ctx, r));
    return found;
  }

  /** A store read within limits.response: past it, a 400 that says how to ask for less. */
  private async bounded<T>(
    read: () => Promise<T>,
    advice = 'ask for a smaller perPage, or expand fewer fields',
  ): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof ReadTooLarge)) throw error;
      throw overLimit(
        'invalidQuery',
        `This read would load more than the ${error.maxBytes} bytes of records one read may ` +
          `(limits.response); ${advice}.`,
        'limits.response',
      );
    }
  }
}

function notFound(name: string, id: string): Problem {
  return new Problem('notFound', `No record "${id}" in ${name}.`);
}

function idsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}
