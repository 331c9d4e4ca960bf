/**
 * POST on a record URL (`/api/{collection}/{id}`, or an alias path that
 * maps PUT, PATCH or DELETE onto one): an HTML form standing for PUT, PATCH
 * or DELETE (`_method`), handed to the same write as that method with the
 * body already read. Any other POST there is the route's 405.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CompiledCollection } from '../../schema/compile-collection.js';
import { checkBeforeUpload } from '../../service/change-access.js';
import { findCollection } from '../../service/collections.js';
import { Problem } from '../../util/problem.js';
import { formWriteBody, readForm, reservedField, type WriteBody } from '../form-body.js';
import { fingerprintBody } from '../form-respond.js';
import { idempotencyClaim } from '../idempotency-claim.js';
import {
  hasFormBody,
  type MethodOverride,
  methodOverride,
  overridePreconditions,
} from '../method-override.js';
import type { ReadForm } from '../multipart-form.js';
import { requireAcceptable } from '../negotiate.js';
import { methodNotAllowed } from '../route-table.js';
import type { Services } from '../services.js';
import { aliasRewriter } from './aliases.js';
import type { RecordParams, RecordWriteHandlers } from './record-writes.js';

/** The 405 for a form that stands for no method this path takes, saying how one would. */
function notOverridden(allow: string): Problem {
  return new Problem(
    'methodNotAllowed',
    `POST is not supported here; use one of ${allow}. An HTML form stands for one of them with a _method field.`,
    { headers: { Allow: allow } },
  );
}

/** The Allow list of the path a request was sent to (an alias path's own, when it came through one). */
export type AllowOf = (req: FastifyRequest) => string;

export function recordOverride(services: Services, writes: RecordWriteHandlers, allowOf: AllowOf) {
  const { schema, files, config } = services;
  const rewrite = aliasRewriter(config.routes);

  /**
   * Through an alias, a form may stand only for a method that alias path
   * maps onto this same URL: `PUT /edit-book/:id` does not make its path
   * take a DELETE.
   */
  function allowedHere(req: FastifyRequest, method: string): boolean {
    return req.originalUrl === req.url || rewrite(method, req.originalUrl) === req.url;
  }

  /**
   * Before the first file of a multipart form is stored: refused as the
   * write would refuse it, for the method the form names so far (a PUT when
   * `_method` comes after the files); a DELETE keeps no file at all.
   */
  async function beforeFile(
    req: FastifyRequest,
    compiled: CompiledCollection,
    id: string,
    fields: ReadForm['fields'],
  ) {
    const override = methodOverride(fields);
    if (override?.method === 'DELETE') return false;
    await checkBeforeUpload(services.store, req.ctx, compiled, id, override?.method === 'PATCH');
    return true;
  }

  /** The overridden request, with the body it was read with. */
  async function dispatch(
    req: FastifyRequest,
    reply: FastifyReply,
    p: RecordParams,
    compiled: CompiledCollection,
    form: ReadForm,
    override: MethodOverride,
  ) {
    const pre = overridePreconditions(req, override);
    if (override.method === 'PUT')
      return writes.replaceWith(req, reply, p, formWriteBody(compiled, form), pre);
    if (override.method === 'PATCH') {
      const input = formWriteBody(compiled, form, true);
      const claim = idempotencyClaim(req, fingerprintBody(input), false, input.idempotencyKey, 'PATCH');
      return writes.patchWith(req, reply, p, { kind: 'merge', document: input.body }, claim, pre, input);
    }
    // A DELETE's other fields are no data: only where the browser goes afterwards counts.
    const input: WriteBody = {
      body: {},
      uploads: [],
      form: true,
      redirect: reservedField(form.fields, '_redirect'),
    };
    return writes.removeWith(req, reply, p, pre, input);
  }

  return async function overridePost(req: FastifyRequest, reply: FastifyReply) {
    // Only a form can stand for another method: JSON (or no body) is a plain POST, which this URL does not take.
    if (!hasFormBody(req)) throw methodNotAllowed('POST', allowOf(req));
    requireAcceptable(req, true);
    const p = req.params as RecordParams;
    const compiled = findCollection(schema, p.collection);
    const id = p.id as string;
    const form = await readForm(req, compiled, files, config.limits, {
      beforeFile: (fields) => beforeFile(req, compiled, id, fields),
    });
    try {
      const override = form && methodOverride(form.fields);
      if (!form || !override || !allowedHere(req, override.method)) throw notOverridden(allowOf(req));
      return await dispatch(req, reply, p, compiled, form, override);
    } finally {
      await Promise.all((form?.uploads ?? []).map((u) => files.discard(u.token)));
    }
  };
}
