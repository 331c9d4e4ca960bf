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
import type { IdempotencyClaim, StoredResponse } from '../../service/idempotent-write.js';
import type { PatchInput } from '../../service/patch.js';
import type { Preconditions } from '../../service/preconditions.js';
import { access } from '../../service/rules.js';
import type { WriteScope } from '../../service/write-scope.js';
import { isPlainObject } from '../../util/is-plain-object.js';
import { WRITE_TYPES } from '../../util/media-types.js';
import { preconditionsOf } from '../conditional.js';
import { readFormBody, type WriteBody } from '../form-body.js';
import { fingerprintBody, renderFormWrite } from '../form-respond.js';
import { idempotencyClaim } from '../idempotency-claim.js';
import { requireAcceptable } from '../negotiate.js';
import { objectBody, patchBody } from '../request-body.js';
import { originate, renderWrite, sendStored, varyApi } from '../respond.js';
import type { Services } from '../services.js';
import { runWrite } from '../write-answer.js';

export interface RecordParams {
  collection: string;
  id?: string;
}

export type RecordWriteHandlers = ReturnType<typeof recordWriteHandlers>;

export function recordWriteHandlers(services: Services) {
  const { reader, writer, runner, schema, files, config } = services;

  /** The body of a create or replace (`id`): a form (with staged files) or a JSON object. */
  async function writeBody(
    req: FastifyRequest,
    compiled: CompiledCollection,
    id?: string,
  ): Promise<WriteBody> {
    // Files are streamed to disk as they arrive: a caller the rules refuse is refused before any is.
    if (req.isMultipart()) await checkBeforeUpload(services.store, req.ctx, compiled, id);
    const form = await readFormBody(req, compiled, files, config.limits);
    return form ?? { body: objectBody(req, WRITE_TYPES), uploads: [], form: false };
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

  /** Run one write with its Idempotency-Key claim and send the outcome. */
  async function write(
    req: FastifyRequest,
    reply: FastifyReply,
    claim: IdempotencyClaim | null,
    op: (scope: WriteScope) => Promise<StoredResponse>,
    input?: WriteBody,
  ) {
    const { response, replayed } = await runWrite(runner, req, claim, op);
    // Staged files the write did not keep are gone before the client hears back.
    if (input) await discardUploads(input);
    varyApi(reply);
    if (replayed) reply.header('Idempotent-Replayed', 'true');
    return sendStored(reply, originate(reply, response));
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
      return await write(
        req,
        reply,
        null,
        async (scope) => {
          const outcome = await writer.replace({
            ctx: req.ctx,
            collection: p.collection,
            id,
            body: password.body,
            pre,
            scope,
            uploads: input.uploads,
          });
          await password.apply?.(scope);
          return renderFormWrite(req, p.collection, outcome, input);
        },
        input,
      );
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
    return write(
      req,
      reply,
      claim,
      async (scope) => {
        const doc = { kind: patch.kind, document: password.body };
        const target = { ctx: req.ctx, collection: p.collection, scope };
        const outcome = await writer.patch({ ...target, id, patch: doc, pre, uploads: input?.uploads });
        await password.apply?.(scope);
        return input
          ? renderFormWrite(req, p.collection, outcome, input)
          : renderWrite(req, p.collection, outcome);
      },
      input,
    );
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
    return write(req, reply, null, async (scope) => {
      const outcome = await writer.remove({ ctx: req.ctx, collection: p.collection, id, pre, scope });
      return input
        ? renderFormWrite(req, p.collection, outcome, input, id)
        : renderWrite(req, p.collection, outcome);
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
        return await write(
          req,
          reply,
          claim,
          async (scope) =>
            renderFormWrite(
              req,
              p.collection,
              await writer.create({
                ctx: req.ctx,
                collection: p.collection,
                body: input.body,
                scope,
                uploads: input.uploads,
              }),
              input,
            ),
          input,
        );
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
      const patch = patchBody(req);
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
