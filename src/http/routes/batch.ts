/**
 * `POST /api/batch`: several writes in one transaction, all or nothing. The
 * first failing request fails the batch with its own status, and a problem
 * naming its index; nothing of the batch is written then.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PatchInput } from '../../service/patch.js';
import type { Preconditions } from '../../service/preconditions.js';
import type { RecordWrite } from '../../service/write-request.js';
import type { WriteScope } from '../../service/write-scope.js';
import { isPlainObject } from '../../util/is-plain-object.js';
import { JSON_TYPE, MEDIA } from '../../util/media-types.js';
import { isProblem, overLimit, Problem } from '../../util/problem.js';
import { idempotencyClaim } from '../idempotency-claim.js';
import { requireAcceptable } from '../negotiate.js';
import { objectBody } from '../request-body.js';
import { renderWrite } from '../respond.js';
import type { Services } from '../services.js';
import { answerWrite } from '../write-answer.js';

interface SubRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

function bad(detail: string): Problem {
  return new Problem('invalidBatch', detail);
}

/** Check the batch body's shape and return its requests. */
function readRequests(body: Record<string, unknown>, max: number): SubRequest[] {
  const requests = body.requests;
  if (!Array.isArray(requests))
    throw bad('The body must be {"requests": [ {"method", "url", "headers"?, "body"?}, … ]}.');
  if (requests.length === 0) throw bad('The batch has no requests.');
  if (requests.length > max) {
    throw overLimit(
      'payloadTooLarge',
      `This batch holds ${requests.length} requests, more than the ${max} requests a batch may hold (limits.batch).`,
      'limits.batch',
    );
  }
  for (const key of Object.keys(body))
    if (key !== 'requests') throw bad(`Unknown member "${key}" in the batch body.`);
  return requests.map((r, i) => {
    if (!isPlainObject(r)) throw bad(`Request ${i} must be an object.`);
    const { method, url, headers = {}, body: subBody } = r as Record<string, unknown>;
    if (typeof method !== 'string' || !['POST', 'PUT', 'PATCH', 'DELETE'].includes(method.toUpperCase())) {
      throw bad(`Request ${i}: "method" must be POST, PUT, PATCH or DELETE.`);
    }
    if (typeof url !== 'string' || !url.startsWith('/api/'))
      throw bad(`Request ${i}: "url" must be an /api/ path.`);
    if (!isPlainObject(headers)) {
      throw bad(`Request ${i}: "headers" must be an object.`);
    }
    const lower: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (typeof v !== 'string') throw bad(`Request ${i}: header "${k}" must be a string.`);
      lower[k.toLowerCase()] = v;
    }
    return { method: method.toUpperCase(), url, headers: lower, body: subBody };
  });
}

/** `/api/{collection}` or `/api/{collection}/{id}` of a sub-request. */
function target(url: string, index: number): { collection: string; id?: string } {
  const path = url.split('?')[0];
  let parts: string[];
  try {
    parts = path.split('/').slice(2).map(decodeURIComponent);
  } catch {
    // A malformed %-escape is the client's mistake, not a server failure.
    throw bad(`Request ${index}: "${url}" is not a valid URL (bad percent-encoding).`);
  }
  if (parts.length < 1 || parts.length > 2 || parts.some((p) => p === '')) {
    throw bad(`Request ${index}: "${url}" is not a collection or record URL.`);
  }
  return { collection: parts[0], id: parts[1] };
}

function objectOf(body: unknown, index: number): Record<string, unknown> {
  if (!isPlainObject(body)) {
    throw bad(`Request ${index}: "body" must be a JSON object.`);
  }
  return body as Record<string, unknown>;
}

export function batchHandler(services: Services) {
  const { writer, config } = services;

  /** A sub-request as the record write it stands for. */
  function subWrite(req: FastifyRequest, sub: SubRequest, index: number): RecordWrite {
    const { collection, id } = target(sub.url, index);
    const pre: Preconditions = {
      ifMatch: sub.headers['if-match'],
      ifNoneMatch: sub.headers['if-none-match'],
      ifUnmodifiedSince: sub.headers['if-unmodified-since'],
    };
    const on = { ctx: req.ctx, collection };
    if (sub.method === 'POST' && id === undefined) {
      return { method: 'POST', ...on, body: objectOf(sub.body, index) };
    }
    if (id === undefined) {
      throw new Problem('methodNotAllowed', `Request ${index}: ${sub.method} needs a record URL.`, {
        headers: { Allow: 'GET, HEAD, POST, OPTIONS' },
      });
    }
    if (sub.method === 'PUT') return { method: 'PUT', ...on, id, body: objectOf(sub.body, index), pre };
    if (sub.method === 'PATCH') {
      const kind = (sub.headers['content-type'] ?? '').startsWith(MEDIA.jsonPatch) ? 'json-patch' : 'merge';
      const patch: PatchInput = { kind, document: sub.body };
      return { method: 'PATCH', ...on, id, patch, pre };
    }
    if (sub.method === 'DELETE') return { method: 'DELETE', ...on, id, pre };
    throw new Problem('methodNotAllowed', `Request ${index}: POST goes to a collection URL.`, {
      headers: { Allow: 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS' },
    });
  }

  async function runOne(req: FastifyRequest, sub: SubRequest, index: number, scope: WriteScope) {
    const write = subWrite(req, sub, index);
    const outcome = await writer.write(write, scope);
    const rendered = renderWrite(req, write.collection, outcome);
    return {
      status: rendered.status,
      headers: rendered.headers,
      body: rendered.body === '' ? null : JSON.parse(rendered.body),
    };
  }

  return async function batch(req: FastifyRequest, reply: FastifyReply) {
    requireAcceptable(req);
    const body = objectBody(req);
    const requests = readRequests(body, config.limits.batch);
    const claim = idempotencyClaim(req, body, false);
    return answerWrite(services, req, reply, {
      claim,
      async write(scope) {
        const responses = [];
        for (const [index, sub] of requests.entries()) {
          try {
            responses.push(await runOne(req, sub, index, scope));
          } catch (error) {
            if (!isProblem(error)) throw error;
            throw new Problem(error.code, `Request ${index} failed: ${error.detail}`, {
              errors: error.errors,
              headers: error.headers,
              extra: { ...error.extra, index },
            });
          }
        }
        return { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ responses }) };
      },
    });
  };
}
