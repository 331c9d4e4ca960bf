/**
 * The write handlers of `/api/{collection}` and `/api/{collection}/{id}`:
 * read the body, build the write and hand it to the one write path. PUT,
 * PATCH and DELETE also take a body read already, for a form that stands
 * for them (record-override.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CompiledCollection } from '../../schema/compile-collection.js';
import { checkBeforeUpload } from '../../service/change-access.js';
import { findCollection } from '../../service/collections.js';
import type { IdempotencyClaim } from '../../service/idempotent-write.js';
import type { PatchInput } from '../../service/patch.js';
import type { Preconditions } from '../../service/preconditions.js';
import { access } from '../../service/rules.js';
import { isPlainObject } from '../../util/is-plain-object.js';
import { WRITE_TYPES } from '../../util/media-types.js';
import { Problem } from '../../util/problem.js';
import { preconditionsOf } from '../conditional.js';
import { readFormBody, type WriteBody } from '../form-body.js';
import { fingerprintBody } from '../form-respond.js';
import { idempotencyClaim } from '../idempotency-claim.js';
import { requireAcceptable } from '../negotiate.js';
import { objectBody, patchBody } from '../request-body.js';
import type { Services } from '../services.js';
import { answerWrite, type WriteShape } from '../write-answer.js';

export interface RecordParams {
  collection: string;
  id?: string;
}

export type RecordWriteHandlers = ReturnType<typeof recordWriteHandlers>;

/** How another URL scheme over the same write path (json-server's) shapes bodies and answers. */
export interface RecordWriteOptions {
  shape?: WriteShape;
  /** The body as written to that scheme, turned into the API's (numeric ids as strings). */
  adapt?: (collection: string, body: unknown, req: FastifyRequest) => unknown;
  /** A POST body's `id` names the new record (json-server's POST), instead of being ignored. */
  bodyId?: boolean;
}

/** The id a POST body asks for, when the scheme takes one: a string after `adapt`, else a 400. */
function bodyIdOf(body: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(body, 'id')) return undefined;
  if (typeof body.id === 'string') return body.id;
  throw new Problem(
    'invalidId',
    `${JSON.stringify(body.id)} is not a valid id: use a whole number, or 1 to 64 characters of A-Z, a-z, 0-9, _ and -.`,
  );
}

export function recordWriteHandlers(services: Services, options: RecordWriteOptions = {}) {
  const { reader, schema, files, config } = services;
  const { shape } = options;
  const adapt = options.adapt ?? ((_collection: string, body: unknown) => body);

  /** The body of a create or replace (`id`): a form (with staged files) or a JSON object. */
  async function writeBody(
    req: FastifyRequest,
    compiled: CompiledCollection,
    id?: string,
  ): Promise<WriteBody> {
    // Files are streamed to disk as they arrive: a caller the rules refuse is refused before any is.
    if (req.isMultipart()) await checkBeforeUpload(services.store, req.ctx, compiled, id);
    const form = await readFormBody(req, compiled, files, config.limits);
    return (
      form ?? {
        body: adapt(compiled.def.name, objectBody(req, WRITE_TYPES), req) as Record<string, unknown>,
        uploads: [],
        form: false,
      }
    );
  }

  /** A new password in a write to an auth collection: hashed now, stored (revoking sessions) with the write. */
  async function passwordChange<B>(req: FastifyRequest, compiled: CompiledCollection, id: string, body: B) {
    if (!compiled.def.auth || !isPlainObject(body)) {
      return { body, apply: null };
    }
    if (Object.hasOwn(body, 'password') || Object.hasOwn(body, 'oldPassword')) {
      // Rules first: hashing costs ~100 ms and 19 MiB, never spent for a caller who may not change this user.
      access(compiled.def, 'update', req.ctx);
      await reader.get(req.ctx, compiled.def.name, id, { fields: null, expand: [] });
    }
    const change = await services.auth.passwordChange(req.ctx, id, body as Record<string, unknown>);
    return { body: change.body as B, apply: change.apply };
  }

  /** Staged files the write did not commit (it failed, or it was a replay) are dropped. */
  async function discardUploads(input: WriteBody): Promise<void> {
    await Promise.all(input.uploads.map((u) => files.discard(u.token)));
  }

  /** PUT of a body already read (from the request, or from a form standing for PUT). */
  async function replaceWith(
    req: FastifyRequest,
    reply: FastifyReply,
    p: RecordParams,
    input: WriteBody,
    pre: Preconditions,
  ) {
    const id = p.id as string;
    try {
      const compiled = findCollection(schema, p.collection);
      const password = await passwordChange(req, compiled, id, input.body);
      const { collection } = p;
      const { uploads } = input;
      return await answerWrite(services, req, reply, {
        write: { method: 'PUT', ctx: req.ctx, collection, id, body: password.body, pre, uploads },
        alongside: password.apply,
        input,
        shape,
      });
    } finally {
      await discardUploads(input);
    }
  }

  /** PATCH of a document already read; `input` is the form it came from, whose files the patch may keep. */
  async function patchWith(
    req: FastifyRequest,
    reply: FastifyReply,
    p: RecordParams,
    patch: PatchInput,
    claim: IdempotencyClaim | null,
    pre: Preconditions,
    input?: WriteBody,
  ) {
    const id = p.id as string;
    const compiled = findCollection(schema, p.collection);
    const password =
      patch.kind === 'merge'
        ? await passwordChange(req, compiled, id, patch.document)
        : { body: patch.document, apply: null };
    const doc = { kind: patch.kind, document: password.body };
    const { collection } = p;
    return answerWrite(services, req, reply, {
      claim,
      write: { method: 'PATCH', ctx: req.ctx, collection, id, patch: doc, pre, uploads: input?.uploads },
      alongside: password.apply,
      input,
      shape,
    });
  }

  /** DELETE; `input` is the form standing for it, whose `_redirect` a browser follows. */
  async function removeWith(
    req: FastifyRequest,
    reply: FastifyReply,
    p: RecordParams,
    pre: Preconditions,
    input?: WriteBody,
  ) {
    const id = p.id as string;
    findCollection(schema, p.collection);
    return answerWrite(services, req, reply, {
      write: { method: 'DELETE', ctx: req.ctx, collection: p.collection, id, pre },
      input,
      shape,
    });
  }

  return {
    replaceWith,
    patchWith,
    removeWith,

    async create(req: FastifyRequest, reply: FastifyReply, p: RecordParams) {
      requireAcceptable(req, true);
      const compiled = findCollection(schema, p.collection);
      const input = await writeBody(req, compiled);
      try {
        const claim = idempotencyClaim(
          req,
          fingerprintBody(input),
          compiled.def.requireIdempotencyKey,
          input.idempotencyKey,
        );
        const { collection } = p;
        const { body, uploads } = input;
        const id = options.bodyId && isPlainObject(body) ? bodyIdOf(body) : undefined;
        return await answerWrite(services, req, reply, {
          claim,
          write: { method: 'POST', ctx: req.ctx, collection, body, id, uploads },
          input,
          shape,
        });
      } finally {
        await discardUploads(input);
      }
    },

    async replace(req: FastifyRequest, reply: FastifyReply, p: RecordParams) {
      requireAcceptable(req, true);
      const compiled = findCollection(schema, p.collection);
      const input = await writeBody(req, compiled, p.id as string);
      return replaceWith(req, reply, p, input, preconditionsOf(req));
    },

    async patch(req: FastifyRequest, reply: FastifyReply, p: RecordParams) {
      requireAcceptable(req);
      findCollection(schema, p.collection);
      const read = patchBody(req);
      const patch =
        read.kind === 'merge' ? { ...read, document: adapt(p.collection, read.document, req) } : read;
      const claim = idempotencyClaim(req, patch.document, false);
      return patchWith(req, reply, p, patch, claim, preconditionsOf(req));
    },

    async remove(req: FastifyRequest, reply: FastifyReply, p: RecordParams) {
      requireAcceptable(req);
      findCollection(schema, p.collection);
      return removeWith(req, reply, p, preconditionsOf(req));
    },
  };
}
