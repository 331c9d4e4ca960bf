/**
 * Every error becomes an RFC 9457 problem, rendered here and nowhere else:
 * application/problem+json, or a small HTML page for a request that prefers
 * HTML. Unexpected failures are a 500 with an id that is also logged.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { StoredResponse } from '../../service/idempotent-write.js';
import { prefersHtml } from '../../util/accept.js';
import { DatabaseUnavailable } from '../../util/database-unavailable.js';
import { HTML_TYPE, PROBLEM_TYPE } from '../../util/media-types.js';
import { isProblem, overLimit, Problem } from '../../util/problem.js';
import { StorageFull } from '../../util/storage-full.js';
import { errorPageHtml } from '../error-page.js';
import { addVary, sendStored } from '../respond.js';
import { ownOrigin } from './csrf.js';

/** Status codes Fastify's own errors map onto, by error code. */
const FASTIFY_ERRORS: Record<string, (e: FastifyError, req: FastifyRequest) => Problem> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (_e, req) =>
    overLimit(
      'payloadTooLarge',
      `The request body is larger than the ${req.routeOptions.bodyLimit} bytes this server accepts (limits.json).`,
      'limits.json',
      { headers: { Connection: 'close' } },
    ),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new Problem('malformedJson', 'The request body is empty; send a JSON object.'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new Problem('badRequest', 'Content-Length does not match the body that was sent.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => new Problem('unsupportedMediaType', e.message),
  FST_ERR_BAD_URL: () => new Problem('badRequest', 'The URL is not valid.'),
  FST_ERR_ASYNC_CONSTRAINT: () => new Problem('badRequest', 'The request could not be routed.'),
};

/** A database that cannot take the request now: 503 with a Retry-After, saying whether anything may have been written. */
function unavailableProblem(error: DatabaseUnavailable): Problem {
  const detail = {
    conflict:
      'The request collided with a concurrent write to the same records and was undone; nothing was written. Retry it.',
    busy: 'The database has no free connection right now; nothing was written. Retry shortly.',
    unreachable:
      'The database did not answer, so the request may not have been applied. Retry it (a write with the same Idempotency-Key runs at most once).',
  }[error.reason];
  return new Problem('unavailable', detail, {
    headers: { 'Retry-After': error.reason === 'unreachable' ? '5' : '1' },
  });
}

/** Turn anything thrown into a problem; unknown errors become a 500 whose id is logged. */
export function toProblem(error: unknown, req: FastifyRequest): Problem {
  if (isProblem(error)) return error;
  if (error instanceof StorageFull) {
    // Nothing was written (a failed commit rolls back with its Idempotency-Key), so a retry is safe.
    return new Problem(
      'insufficientStorage',
      error.what === 'database'
        ? 'The server has no disk space left for the database; nothing was written. Retry later.'
        : 'The server has no disk space left for uploaded files; nothing was written. Retry later.',
      { headers: { 'Retry-After': '60' } },
    );
  }
  if (error instanceof DatabaseUnavailable) return unavailableProblem(error);
  const fastifyError = error as FastifyError;
  const mapped = fastifyError?.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (mapped) return mapped(fastifyError, req);
  if (fastifyError?.statusCode === 413) {
    return new Problem('payloadTooLarge', 'The request body is larger than this server accepts.', {
      headers: { Connection: 'close' },
    });
  }
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new Problem('badRequest', 'The request could not be read.');
  }
  const id = randomUUID();
  req.log.error({ err: error, errorId: id }, 'internal error');
  return new Problem('internal', `Something went wrong on the server. Error id: ${id}.`, {
    extra: { errorId: id },
  });
}

/** Where a browser's "Go back" link should point: the same-origin Referer path, or /. */
function backLink(req: FastifyRequest, publicUrl: string | undefined): string {
  const referer = req.headers.referer;
  if (referer) {
    try {
      const url = new URL(referer);
      if (url.origin === ownOrigin(req, publicUrl)) return url.pathname + url.search;
    } catch {
      // An unparseable Referer falls back to the home page.
    }
  }
  return '/';
}

/** A problem as a stored response (for idempotency replay and batches). */
export function renderProblem(problem: Problem, req: FastifyRequest): StoredResponse {
  const publicUrl = req.server.methodicalPublicUrl;
  const path = req.url.split('?')[0];
  if (prefersHtml(req.headers.accept)) {
    return {
      status: problem.status,
      headers: { ...problem.headers, 'content-type': HTML_TYPE },
      body: errorPageHtml(problem, req, backLink(req, publicUrl), req.server.methodicalErrorPage),
    };
  }
  return {
    status: problem.status,
    headers: { ...problem.headers, 'content-type': PROBLEM_TYPE },
    body: JSON.stringify(problem.toJSON(path)),
  };
}

/** Install the error and not-found handlers; `notFound` decides what an unrouted request gets. */
export function problemPlugin(
  app: FastifyInstance,
  notFound: (req: FastifyRequest) => Problem | StoredResponse,
): void {
  app.setErrorHandler((error, req, reply) => {
    const problem = toProblem(error, req);
    // Refusals depend on who asks (401/403/404 under rules), and the body's form on Accept.
    addVary(reply, 'Accept', 'Authorization', 'Cookie');
    return sendStored(reply, renderProblem(problem, req));
  });
  app.setNotFoundHandler((req, reply) => {
    const outcome = notFound(req);
    if (!(outcome instanceof Problem)) return sendStored(reply, outcome);
    addVary(reply, 'Accept');
    return sendStored(reply, renderProblem(outcome, req));
  });
}
