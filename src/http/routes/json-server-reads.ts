/**
 * Reads in json-server's shape: lists as plain arrays with X-Total-Count
 * (and Link with `_page`, Content-Range with simple REST's `range`),
 * records with their `_embed`ded children and `_expand`ed parents. Every
 * read goes through the same reader as /api (rules, hidden fields, bounds).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type JsonServerQuery, parseJsonServerQuery } from '../../query/json-server-query.js';
import { comparison, type ListParams, type QueryValues } from '../../query/list-params.js';
import type { CompiledCollection } from '../../schema/compile-collection.js';
import { jsonServerName, jsonServerNames } from '../../schema/json-server-names.js';
import { findCollection } from '../../service/collections.js';
import type { RequestContext } from '../../service/context.js';
import { etagOf } from '../../util/etag.js';
import { overLimit, Problem } from '../../util/problem.js';
import { jsonServerInfo, shapeRecord } from '../json-server-shape.js';
import { requireAcceptable } from '../negotiate.js';
import { jsonRepresentation } from '../respond.js';
import type { Services } from '../services.js';
import { sendRead, WHOLE_RECORD } from './records.js';

/** The headers a cross-origin json-server client reads off a list. */
export const LIST_HEADERS = 'X-Total-Count, Link, Content-Range';

/** A list nested under its parent: `/posts/1/comments`. */
export interface Parent {
  collection: string;
  id: string;
  /** The child's relation field pointing to the parent. */
  field: string;
}

type Row = Record<string, unknown>;

/** first/prev/next/last by `_page`, keeping the rest of the request's query (json-server 0.17's Link). */
function pageLinks(url: string, page: number, perPage: number, total: number): string {
  const [path, query = ''] = url.split('?', 2);
  const params = new URLSearchParams(query);
  const href = (n: number) => {
    params.set('_page', String(n));
    return `<${path}?${params.toString()}>`;
  };
  const last = Math.max(Math.ceil(total / perPage), 1);
  const links = [`${href(1)}; rel="first"`];
  if (page > 1) links.push(`${href(page - 1)}; rel="prev"`);
  if (page < last) links.push(`${href(page + 1)}; rel="next"`);
  links.push(`${href(last)}; rel="last"`);
  return links.join(', ');
}

export function jsonServerReads(services: Services) {
  const { reader, schema, config } = services;

  const parse = (req: FastifyRequest, collection: string, query: QueryValues) =>
    parseJsonServerQuery(query, jsonServerInfo(schema, collection, reader.listInfo(collection, req.ctx)));

  /** Each record shaped, with its embedded children and expanded parents. */
  async function shapeAll(ctx: RequestContext, collection: string, rows: Row[], q: JsonServerQuery) {
    const { def } = findCollection(schema, collection);
    const out = rows.map((row) => {
      const shaped = shapeRecord(schema, def, row);
      const expanded = (row.expand ?? {}) as Record<string, Row | null>;
      for (const { name, field } of q.expand) {
        const parent = expanded[field];
        const target = def.fields[field].collection as string;
        if (parent) shaped[name] = shapeRecord(schema, findCollection(schema, target).def, parent);
      }
      return shaped;
    });
    for (const key of q.embed) {
      // `_embed` names the child by its json-server name, as the body does.
      const child = jsonServerNames(schema).byName.get(key) as string;
      const field = jsonServerInfo(schema, collection, reader.listInfo(collection, ctx)).embeds[key];
      const children = await childrenOf(ctx, child, field, rows);
      const childDef = findCollection(schema, child).def;
      rows.forEach((row, i) => {
        out[i][key] = children
          .filter((c) => c[field] === row.id)
          .map((c) => shapeRecord(schema, childDef, c));
      });
    }
    return out;
  }

  /** The children of `rows` in one query, no more than limits.expand of them in all. */
  async function childrenOf(ctx: RequestContext, child: string, field: string, rows: Row[]): Promise<Row[]> {
    if (rows.length === 0) return [];
    const max = config.limits.expand;
    const filter = rows
      .map((row) => comparison(field, '=', row.id as string))
      .reduce((left, right) => ({ kind: 'or', left, right, pos: 0 }));
    const params: ListParams = {
      filter,
      sort: [],
      page: 1,
      perPage: max,
      fields: null,
      expand: [],
      skipTotal: false,
      after: null,
    };
    const page = await reader.list(ctx, child, params);
    if ((page.totalItems ?? 0) > max) {
      throw overLimit(
        'invalidQuery',
        `This read would embed more than the ${max} related records one read may expand ` +
          '(limits.expand); ask for fewer records with _limit, or embed fewer collections.',
        'limits.expand',
      );
    }
    return page.items;
  }

  return {
    /** `GET /posts` (or `/posts/1/comments` with `parent`). */
    async list(req: FastifyRequest, reply: FastifyReply, collection: string, parent?: Parent) {
      requireAcceptable(req);
      const q = parse(req, collection, req.query as QueryValues);
      if (parent) {
        // Like any other path, a nested list of a parent that is not there (or not viewable) is a 404.
        await reader.get(req.ctx, parent.collection, parent.id, WHOLE_RECORD);
        const own = comparison(parent.field, '=', parent.id);
        q.params.filter =
          q.params.filter === null ? own : { kind: 'and', left: own, right: q.params.filter, pos: 0 };
      }
      const { page } = await reader.listWithCursor(req.ctx, collection, q.params);
      const items = await shapeAll(req.ctx, collection, page.items, q);
      const { body, etag } = jsonRepresentation(items);
      const total = page.totalItems ?? items.length;
      const extra: Record<string, string> = { 'x-total-count': String(total) };
      if (q.paged) extra.link = pageLinks(req.url, q.params.page, q.params.perPage, total);
      if (q.range) {
        const start = q.params.offset ?? 0;
        const unit = jsonServerName(schema, collection);
        extra['content-range'] =
          items.length === 0 ? `${unit} */${total}` : `${unit} ${start}-${start + items.length - 1}/${total}`;
      }
      if (reply.getHeader('access-control-expose-headers') === undefined) {
        extra['access-control-expose-headers'] = LIST_HEADERS;
      }
      const def = findCollection(schema, collection).def;
      return sendRead(req, reply, body, etag, undefined, { def, operation: 'list' }, extra);
    },

    /** `GET /posts/1`, taking `_embed` and `_expand` alone. */
    async get(req: FastifyRequest, reply: FastifyReply, collection: string, id: string) {
      requireAcceptable(req);
      const query = req.query as QueryValues;
      for (const key of Object.keys(query)) {
        if (key !== '_embed' && key !== '_expand') {
          throw new Problem(
            'invalidQuery',
            `Query parameter "${key}" is not accepted on a single record; use _embed or _expand.`,
          );
        }
      }
      const q = parse(req, collection, query);
      const record = await reader.get(req.ctx, collection, id, { fields: null, expand: q.params.expand });
      return sendOne(req, reply, collection, record, q);
    },

    /** `GET /profile`: the one record of a single collection. */
    async single(req: FastifyRequest, reply: FastifyReply, collection: string) {
      requireAcceptable(req);
      const query = req.query as QueryValues;
      const first = Object.keys(query)[0];
      if (first !== undefined) {
        throw new Problem('invalidQuery', `Query parameter "${first}" is not accepted on a single record.`);
      }
      const record = await singleRecord(req.ctx, collection);
      const q = parse(req, collection, {});
      return sendOne(req, reply, collection, record, q);
    },
  };

  /** The record of a single collection; 404 while it has none. */
  async function singleRecord(ctx: RequestContext, collection: string): Promise<Row> {
    const record = await firstRecord(services, ctx, collection);
    if (!record) throw noSingleRecord(schema, collection);
    return record;
  }

  async function sendOne(
    req: FastifyRequest,
    reply: FastifyReply,
    collection: string,
    record: Row,
    q: JsonServerQuery,
  ) {
    const [shaped] = await shapeAll(req.ctx, collection, [record], q);
    const body = JSON.stringify(shaped);
    // The record's own ETag, as /api sends it, so If-Match works across both; with children embedded, the body's.
    const plain = q.embed.length === 0 && q.expand.length === 0;
    const etag = plain ? jsonRepresentation(record).etag : etagOf(body);
    const def = findCollection(schema, collection).def;
    return sendRead(req, reply, body, etag, record.updated as string | undefined, { def, operation: 'view' });
  }
}

/** The 404 of a single collection without its record. */
export function noSingleRecord(schema: ReadonlyMap<string, CompiledCollection>, collection: string): Problem {
  const path = `/${jsonServerName(schema, collection)}`;
  return new Problem('notFound', `${collection} has no record yet; POST ${path} creates it.`);
}

/** The record of a single collection as the caller may list it, or undefined while it has none. */
export async function firstRecord(
  services: Services,
  ctx: RequestContext,
  collection: string,
): Promise<Row | undefined> {
  const page = await services.reader.list(ctx, collection, {
    filter: null,
    sort: [],
    page: 1,
    perPage: 1,
    fields: null,
    expand: [],
    skipTotal: true,
    after: null,
  });
  return page.items[0];
}
