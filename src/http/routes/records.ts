/**
 * `/api/{collection}` and `/api/{collection}/{id}`: thin handlers that read
 * the request, call the service and hand the outcome to the responder.
 * Reads are here; writes in record-writes.ts, the form override of a
 * record's POST in record-override.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseListParams, type QueryValues } from '../../query/list-params.js';
import { findCollection } from '../../service/collections.js';
import { JSON_TYPE } from '../../util/media-types.js';
import { Problem } from '../../util/problem.js';
import type { ReadOf } from '../cache-policy.js';
import { evaluateRead } from '../conditional.js';
import { listLinks } from '../links.js';
import { requireAcceptable } from '../negotiate.js';
import { jsonRepresentation, originate, representationHeaders, sendStored, varyApi } from '../respond.js';
import type { Services } from '../services.js';
import { type RecordParams, recordWriteHandlers } from './record-writes.js';

/** Kept here too: the API's handlers have always exported it from this module. */
export { varyApi } from '../respond.js';
export type { RecordParams } from './record-writes.js';

/** Send a representation, or 304/412 when the read's preconditions say so. */
export function sendRead(
  req: FastifyRequest,
  reply: FastifyReply,
  body: string,
  etag: string,
  updated: string | undefined,
  read: ReadOf,
  extra: Record<string, string> = {},
  lastModified?: string,
) {
  varyApi(reply);
  const headers = representationHeaders(req, etag, updated, read, lastModified);
  const decision = evaluateRead(req.headers, etag, updated);
  if (decision === 'precondition-failed') {
    throw new Problem('preconditionFailed', 'The representation does not match the request preconditions.');
  }
  if (decision === 'not-modified')
    return sendStored(reply, originate(reply, { status: 304, headers, body: '' }));
  // A fresh object from representationHeaders: filled in place.
  Object.assign(headers, extra);
  headers['content-type'] = JSON_TYPE;
  return sendStored(reply, originate(reply, { status: 200, headers, body }));
}

/** The handlers of the API's record routes: reads here, writes in record-writes.ts. */
export function recordHandlers(services: Services) {
  const { reader } = services;
  const readOf = (p: RecordParams, operation: ReadOf['operation']): ReadOf => ({
    def: findCollection(services.schema, p.collection).def,
    operation,
  });

  return {
    ...recordWriteHandlers(services),

    async list(req: FastifyRequest, reply: FastifyReply, p: RecordParams) {
      requireAcceptable(req);
      const params = parseListParams(req.query as QueryValues, reader.listInfo(p.collection, req.ctx));
      const { page, next, more } = await reader.listWithCursor(req.ctx, p.collection, params);
      const { body, etag } = jsonRepresentation(page);
      const link = listLinks(req.url, page, next, more);
      return sendRead(req, reply, body, etag, undefined, readOf(p, 'list'), { link });
    },

    async get(req: FastifyRequest, reply: FastifyReply, p: RecordParams) {
      requireAcceptable(req);
      const query = req.query as QueryValues;
      if (isEmpty(query)) {
        const read = await reader.getJson(req.ctx, p.collection, p.id as string);
        return sendRead(
          req,
          reply,
          read.json,
          read.etag,
          read.updated,
          readOf(p, 'view'),
          {},
          read.lastModified,
        );
      }
      const params = parseListParams(pickReadParams(query), reader.listInfo(p.collection, req.ctx));
      const record = await reader.get(req.ctx, p.collection, p.id as string, params);
      const { body, etag } = jsonRepresentation(record);
      return sendRead(req, reply, body, etag, record.updated as string | undefined, readOf(p, 'view'));
    },
  };
}

/** The usual read: every field, nothing expanded. */
export const WHOLE_RECORD = { fields: null, expand: [] } as const;

function isEmpty(query: QueryValues): boolean {
  for (const _ in query) return false;
  return true;
}

/** A single record takes only `fields` and `expand`; anything else is a 400 like on lists. */
function pickReadParams(query: QueryValues): QueryValues {
  const out: QueryValues = {};
  for (const [k, v] of Object.entries(query)) {
    if (k !== 'fields' && k !== 'expand') {
      throw new Problem(
        'invalidQuery',
        `Query parameter "${k}" is not accepted on a single record; use fields or expand.`,
      );
    }
    out[k] = v;
  }
  return out;
}
