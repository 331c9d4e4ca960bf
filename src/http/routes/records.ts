/**
 * `/api/{collection}` and `/api/{collection}/{id}`: thin handlers that read
 * the request, call the service and hand the outcome to the responder.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseListParams, type QueryValues } from '../../query/list-params.js';
import type { CompiledCollection } from '../../schema/compile-collection.js';
import { checkBeforeUpload } from '../../service/change-access.js';
import { findCollection } from '../../service/collections.js';
import type { WriteScope } from '../../service/record-writes.js';
import { access } from '../../service/rules.js';
import type { IdempotencyClaim, StoredResponse } from '../../service/write-runner.js';
import { Problem } from '../../util/problem.js';
import { evaluateRead } from '../conditional.js';
import { readFormBody, type WriteBody } from '../form-body.js';
import { fingerprintBody, renderFormWrite } from '../form-respond.js';
import { listLinks } from '../links.js';
import { sendStored } from '../plugins/problem.js';
import {
  idempotencyClaim,
  objectBody,
  POST_TYPES,
  patchBody,
  preconditionsOf,
  requireAcceptable,
} from '../request.js';
import {
  addVary,
  JSON_TYPE,
  jsonRepresentation,
  originate,
  renderWrite,
  representationHeaders,
} from '../respond.js';
import type { Services } from '../services.js';
import { runWrite } from '../write-answer.js';

export interface RecordParams {
  collection: string;
  id?: string;
}

/** Headers every API answer varies on. */
export function varyApi(reply: FastifyReply): void {
  addVary(reply, 'Accept', 'Authorization', 'Cookie');
}

/** Send a representation, or 304/412 when the read's preconditions say so. */
function sendRead(
  req: FastifyRequest,
  reply: FastifyReply,
  body: string,
  etag: string,
  updated: string | undefined,
  extra: Record<string, string> = {},
) {
  varyApi(reply);
  const headers = representationHeaders(req, etag, updated);
  const decision = evaluateRead(req.headers, etag, updated);
  if (decision === 'precondition-failed') {
    throw new Problem('preconditionFailed', 'The representation does not match the request preconditions.');
  }
  if (decision === 'not-modified')
    return sendStored(reply, originate(reply, { status: 304, headers, body: '' }));
  return sendStored(
    reply,
    originate(reply, { status: 200, headers: { ...headers, ...extra, 'content-type': JSON_TYPE }, body }),
  );
}

export function recordHandlers(services: Services) {
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
    return form ?? { body: objectBody(req, POST_TYPES), uploads: [], form: false };
  }

  /** A new password in a write to an auth collection: hashed now, stored (revoking sessions) with the write. */
  async function passwordChange<B>(req: FastifyRequest, compiled: CompiledCollection, id: string, body: B) {
    if (!compiled.def.auth || body === null || typeof body !== 'object' || Array.isArray(body)) {
      return { body, apply: null };
    }
    if (Object.hasOwn(body, 'password')) {
      // Rules first: hashing costs ~100 ms and 19 MiB, never spent for a caller who may not change this user.
      access(compiled.def, 'update', req.ctx);
      await reader.get(req.ctx, compiled.def.name, id, { fields: null, expand: [] });
    }
    const change = await services.auth.passwordChange(body as Record<string, unknown>);
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

  return {
    async list(req: FastifyRequest, reply: FastifyReply, p: RecordParams) {
      requireAcceptable(req);
      const params = parseListParams(req.query as QueryValues, reader.listInfo(p.collection));
      const page = await reader.list(req.ctx, p.collection, params);
      const { body, etag } = jsonRepresentation(page);
      const link = listLinks(req.url, page);
      return sendRead(req, reply, body, etag, undefined, { link });
    },

    async get(req: FastifyRequest, reply: FastifyReply, p: RecordParams) {
      requireAcceptable(req);
      const query = req.query as QueryValues;
      const params = isEmpty(query)
        ? WHOLE_RECORD
        : parseListParams(pickReadParams(query), reader.listInfo(p.collection));
      const record = await reader.get(req.ctx, p.collection, p.id as string, params);
      const { body, etag } = jsonRepresentation(record);
      return sendRead(req, reply, body, etag, record.updated as string | undefined);
    },

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
              await writer.create(req.ctx, p.collection, input.body, scope, input.uploads),
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
      const pre = preconditionsOf(req);
      try {
        const password = await passwordChange(req, compiled, p.id as string, input.body);
        return await write(
          req,
          reply,
          null,
          async (scope) => {
            const id = p.id as string;
            const outcome = await writer.replace(
              req.ctx,
              p.collection,
              id,
              password.body,
              pre,
              scope,
              input.uploads,
            );
            await password.apply?.(scope, id);
            return renderFormWrite(req, p.collection, outcome, input);
          },
          input,
        );
      } finally {
        await discardUploads(input);
      }
    },

    async patch(req: FastifyRequest, reply: FastifyReply, p: RecordParams) {
      requireAcceptable(req);
      const compiled = findCollection(schema, p.collection);
      const patch = patchBody(req);
      const claim = idempotencyClaim(req, patch.document, false);
      const pre = preconditionsOf(req);
      const password =
        patch.kind === 'merge'
          ? await passwordChange(req, compiled, p.id as string, patch.document)
          : { body: patch.document, apply: null };
      return write(req, reply, claim, async (scope) => {
        const id = p.id as string;
        const doc = { kind: patch.kind, document: password.body };
        const outcome = await writer.patch(req.ctx, p.collection, id, doc, pre, scope);
        await password.apply?.(scope, id);
        return renderWrite(req, p.collection, outcome);
      });
    },

    async remove(req: FastifyRequest, reply: FastifyReply, p: RecordParams) {
      requireAcceptable(req);
      findCollection(schema, p.collection);
      const pre = preconditionsOf(req);
      return write(req, reply, null, async (scope) =>
        renderWrite(
          req,
          p.collection,
          await writer.remove(req.ctx, p.collection, p.id as string, pre, scope),
        ),
      );
    },
  };
}

/** The usual read: every field, nothing expanded. */
const WHOLE_RECORD = { fields: null, expand: [] } as const;

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
        'badQuery',
        `Query parameter "${k}" is not accepted on a single record; use fields or expand.`,
      );
    }
    out[k] = v;
  }
  return out;
}
