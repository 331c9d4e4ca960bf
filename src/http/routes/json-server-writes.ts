/**
 * Writes at json-server's URLs: the API's own write handlers (rules,
 * hooks, preconditions, Idempotency-Key, 422s) with bodies adapted from
 * json-server's numbers and answers rendered in its shape: the record
 * without created/updated, 201 + Location `/posts/4`, DELETE 200 `{}`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CompiledCollection } from '../../schema/compile-collection.js';
import { jsonServerName } from '../../schema/json-server-names.js';
import { findCollection } from '../../service/collections.js';
import type { StoredResponse } from '../../service/idempotent-write.js';
import { isPlainObject } from '../../util/is-plain-object.js';
import { JSON_TYPE } from '../../util/media-types.js';
import { preferReturn } from '../../util/prefer.js';
import { adaptBody, shapeRecord } from '../json-server-shape.js';
import { representationHeaders } from '../respond.js';
import type { Services } from '../services.js';
import type { WriteShape } from '../write-answer.js';
import { firstRecord, noSingleRecord, type Parent } from './json-server-reads.js';
import { recordWriteHandlers } from './record-writes.js';

type Schema = ReadonlyMap<string, CompiledCollection>;

/** The path json-server serves a record at. */
export function jsonServerPath(schema: Schema, collection: string, id: string): string {
  const single = schema.get(collection)?.def.single === true;
  const segment = `/${encodeURIComponent(jsonServerName(schema, collection))}`;
  return single ? segment : `${segment}/${encodeURIComponent(id)}`;
}

/** A write's outcome as json-server answers it, with our validators beside. */
export function jsonServerShape(schema: Schema): WriteShape {
  return (req, collection, outcome): StoredResponse => {
    const minimal = preferReturn(String(req.headers.prefer ?? '')) === 'minimal';
    if (outcome.status === 204 || !outcome.record || !outcome.etag) {
      // json-server answers a DELETE 200 with an empty object; its clients read that body.
      if (minimal) return { status: 204, headers: { 'preference-applied': 'return=minimal' }, body: '' };
      return { status: 200, headers: { 'content-type': JSON_TYPE }, body: '{}' };
    }
    const { record } = outcome;
    const headers = representationHeaders(req, outcome.etag, record.updated);
    if (outcome.status === 201) {
      const location = jsonServerPath(schema, collection, record.id);
      headers.location = location;
      headers['content-location'] = location;
    }
    if (minimal) {
      headers['preference-applied'] = 'return=minimal';
      delete headers['content-location'];
      return { status: outcome.status === 201 ? 201 : 204, headers, body: '' };
    }
    headers['content-type'] = JSON_TYPE;
    const body = JSON.stringify(shapeRecord(schema, findCollection(schema, collection).def, record));
    return { status: outcome.status, headers, body };
  };
}

/** The parent a nested create (`POST /posts/1/comments`) writes into its relation field. */
const parents = new WeakMap<FastifyRequest, Parent>();

export function jsonServerWrites(services: Services) {
  const { schema, reader } = services;
  const writes = recordWriteHandlers(services, {
    shape: jsonServerShape(schema),
    bodyId: true,
    adapt: (collection, body, req) => {
      const adapted = adaptBody(findCollection(schema, collection).def, body);
      const parent = parents.get(req);
      if (!parent || !isPlainObject(adapted)) return adapted;
      return { ...(adapted as Record<string, unknown>), [parent.field]: parent.id };
    },
  });

  /** The id of a single collection's record; 404 while there is none. */
  async function singleId(req: FastifyRequest, collection: string): Promise<string> {
    const record = await firstRecord(services, req.ctx, collection);
    if (!record) throw noSingleRecord(schema, collection);
    return record.id as string;
  }

  return {
    create: (req: FastifyRequest, reply: FastifyReply, collection: string) =>
      writes.create(req, reply, { collection }),
    replace: (req: FastifyRequest, reply: FastifyReply, collection: string, id: string) =>
      writes.replace(req, reply, { collection, id }),
    patch: (req: FastifyRequest, reply: FastifyReply, collection: string, id: string) =>
      writes.patch(req, reply, { collection, id }),
    remove: (req: FastifyRequest, reply: FastifyReply, collection: string, id: string) =>
      writes.remove(req, reply, { collection, id }),

    /** `POST /posts/1/comments`: a comment whose relation to posts is 1 (404 when post 1 is not there). */
    async createChild(req: FastifyRequest, reply: FastifyReply, parent: Parent, collection: string) {
      await reader.get(req.ctx, parent.collection, parent.id, { fields: null, expand: [] });
      parents.set(req, parent);
      return writes.create(req, reply, { collection });
    },

    /**
     * `POST /profile`: creates the record while there is none, and replaces
     * it (as PUT does: If-Match honoured, 200) once there is, as json-server does.
     */
    async createSingle(req: FastifyRequest, reply: FastifyReply, collection: string) {
      const existing = await firstRecord(services, req.ctx, collection);
      if (existing) return writes.replace(req, reply, { collection, id: existing.id as string });
      return writes.create(req, reply, { collection });
    },
    replaceSingle: async (req: FastifyRequest, reply: FastifyReply, collection: string) =>
      writes.replace(req, reply, { collection, id: await singleId(req, collection) }),
    patchSingle: async (req: FastifyRequest, reply: FastifyReply, collection: string) =>
      writes.patch(req, reply, { collection, id: await singleId(req, collection) }),
  };
}
