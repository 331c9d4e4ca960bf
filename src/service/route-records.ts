/**
 * `ctx.records` of a custom route: the collections as the caller sees them,
 * every rule applied as on the API. A safe handler (GET) reads the committed
 * state and cannot write; an unsafe one reads and writes its own
 * transaction, so it sees its own writes and they commit (or roll back)
 * together with its answer.
 */
import type {
  AggregateOptions,
  RecordListOptions,
  RecordPage,
  RecordsApi,
  WritePreconditions,
} from '../config/app-types.js';
import type { Limits } from '../config/types.js';
import { parseListParams, type QueryValues } from '../query/list-params.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { RecordData } from '../schema/types.js';
import { isProblem } from '../util/problem.js';
import type { RequestContext } from './context.js';
import { RecordReader } from './record-reader.js';
import type { RecordWriter } from './record-writes.js';
import { recordEtag } from './serialize.js';
import type { WriteScope } from './write-scope.js';

export interface RouteRecordsDeps {
  schema: ReadonlyMap<string, CompiledCollection>;
  /** Reads of the committed state, for safe handlers. */
  reader: RecordReader;
  writer: RecordWriter;
  limits: Pick<Limits, 'expand' | 'filterTerms' | 'response'>;
}

/** Refusals that mean "not there for this caller": a get reads them as null. */
const NOT_VIEWABLE: ReadonlySet<number> = new Set([401, 403, 404]);

/** The list options as the list API's query parameters, so they are checked the same way (400s). */
function listQuery(options: RecordListOptions): QueryValues {
  const query: QueryValues = {};
  if (options.filter !== undefined) query.filter = options.filter;
  if (options.sort !== undefined) query.sort = options.sort;
  if (options.page !== undefined) query.page = String(options.page);
  if (options.perPage !== undefined) query.perPage = String(options.perPage);
  if (options.fields !== undefined) query.fields = options.fields.join(',');
  if (options.expand !== undefined && options.expand.length > 0) query.expand = options.expand.join(',');
  if (options.skipTotal !== undefined) query.skipTotal = String(options.skipTotal);
  return query;
}

function preconditions(options: WritePreconditions | undefined) {
  return { ifMatch: options?.ifMatch };
}

/** The records API for one request: `scope` is the unsafe handler's transaction, null in a safe one. */
export function routeRecords(
  deps: RouteRecordsDeps,
  ctx: RequestContext,
  scope: WriteScope | null,
): RecordsApi {
  const { schema, writer } = deps;
  // Inside a transaction, reads go through it: a handler sees what it has just written.
  const reader = scope ? new RecordReader({ store: scope.tx, schema, limits: deps.limits }) : deps.reader;

  /** A misspelt collection is the handler's bug, not a 404 for the client. */
  const known = (collection: string, call: string): void => {
    if (!schema.has(collection)) {
      throw new Error(
        `ctx.records.${call}: there is no collection "${collection}"; the collections are ${[...schema.keys()].join(', ')}`,
      );
    }
  };
  const writing = (collection: string, call: string): WriteScope => {
    known(collection, call);
    if (!scope) {
      throw new Error(
        `ctx.records.${call} writes, which a GET handler may not: write from a POST, PUT, PATCH or DELETE handler`,
      );
    }
    return scope;
  };

  return {
    async get(collection, id, options = {}) {
      known(collection, 'get');
      try {
        const read = { fields: null, expand: options.expand ?? [] };
        return (await reader.get(ctx, collection, id, read)) as RecordData;
      } catch (error) {
        if (isProblem(error) && NOT_VIEWABLE.has(error.status)) return null;
        throw error;
      }
    },
    async list(collection, options = {}) {
      known(collection, 'list');
      const params = parseListParams(listQuery(options), reader.listInfo(collection, ctx));
      return (await reader.list(ctx, collection, params)) as RecordPage;
    },
    async aggregate(collection, options: AggregateOptions) {
      known(collection, 'aggregate');
      const { groupBy, sum, filter } = options;
      return reader.aggregate(ctx, collection, {
        groupBy: [...groupBy],
        ...(sum === undefined ? {} : { sum: [...sum] }),
        ...(filter === undefined ? {} : { filter }),
      });
    },
    async create(collection, data) {
      const outcome = await writer.create({
        ctx,
        collection,
        body: data,
        scope: writing(collection, 'create'),
      });
      return outcome.record as RecordData;
    },
    async replace(collection, id, data, options) {
      const scope = writing(collection, 'replace');
      const outcome = await writer.replace({
        ctx,
        collection,
        id,
        body: data,
        pre: preconditions(options),
        scope,
      });
      return outcome.record as RecordData;
    },
    async update(collection, id, changes, options) {
      const scope = writing(collection, 'update');
      const patch = { kind: 'merge' as const, document: changes };
      const outcome = await writer.patch({ ctx, collection, id, patch, pre: preconditions(options), scope });
      return outcome.record as RecordData;
    },
    async delete(collection, id, options) {
      const scope = writing(collection, 'delete');
      await writer.remove({ ctx, collection, id, pre: preconditions(options), scope });
    },
    etag: (record) => recordEtag(record),
  };
}
