/**
 * The one tail every write leaves through (the API's records, register,
 * batches, the config's route handlers): run it on the write path with its
 * claim, drop the staged files it did not keep, then vary, mark a replay,
 * date and send. The renderer the write path stores answers with is here
 * too, given to it once by createApp.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FileStorage } from '../files/storage.js';
import type {
  IdempotencyClaim,
  RunResult,
  StoredResponse,
  WriteRenderer,
  WriteRun,
  WriteRunner,
} from '../service/idempotent-write.js';
import type { WriteOutcome } from '../service/record-writes.js';
import { prefersHtml } from '../util/accept.js';
import type { WriteBody } from './form-body.js';
import { renderFormWrite } from './form-respond.js';
import { renderProblem } from './plugins/problem.js';
import { addVary, originate, renderWrite, sendStored } from './respond.js';

/** How long a browser form's resubmission waits for the first submission to finish. */
export const FORM_WAIT_MS = 10_000;

/** What the renderer needs of a write's request: the request, and the body a record write was read from. */
export interface WriteContext {
  req: FastifyRequest;
  /** A form's body answers a browser with 303 (form-respond.ts); its staged files are dropped after the write. */
  input?: WriteBody;
  /** Renders a record write's outcome in another shape than the API's (json-server's, see routes/json-server.ts). */
  shape?: WriteShape;
}

/** A record write's outcome as the response to store and send. */
export type WriteShape = (req: FastifyRequest, collection: string, outcome: WriteOutcome) => StoredResponse;

/** How the write path renders answers for storing with their key. */
export const writeRenderer: WriteRenderer<WriteContext> = {
  outcome(outcome, write, { req, input, shape }) {
    if (shape) return shape(req, write.collection, outcome);
    if (!input) return renderWrite(req, write.collection, outcome);
    // A deleted record is gone from the outcome: a form's `{id}` redirect takes the id written to.
    return renderFormWrite(
      req,
      write.collection,
      outcome,
      input,
      write.method === 'DELETE' ? write.id : undefined,
    );
  },
  problem: (problem, { req }) => renderProblem(problem, req),
};

/** One write as a handler hands it over. */
export interface WriteAnswer extends Omit<WriteRun<WriteContext>, 'request' | 'claim' | 'waitMs'> {
  claim?: IdempotencyClaim | null;
  input?: WriteBody;
  shape?: WriteShape;
  /** Set what must never be stored with the answer (a new session's cookie), once the write is done. */
  beforeSend?: (replayed: boolean) => void;
}

export interface WritePathDeps {
  runner: WriteRunner<WriteContext>;
  files: FileStorage;
}

/**
 * Run a write and send its answer. A browser's double submit waits for the
 * first one and shows its answer, rather than a 409 page.
 */
export async function answerWrite(
  deps: WritePathDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  answer: WriteAnswer,
): Promise<FastifyReply> {
  const { claim = null, input, shape, beforeSend, ...write } = answer;
  const waitMs = prefersHtml(req.headers.accept) ? FORM_WAIT_MS : 0;
  let result: RunResult;
  try {
    result = await deps.runner.run({ ...write, request: { req, input, shape }, claim, waitMs });
  } finally {
    // Staged files the write did not keep (it failed, or it was a replay) are gone before the client hears back.
    await Promise.all((input?.uploads ?? []).map((u) => deps.files.discard(u.token)));
  }
  beforeSend?.(result.replayed);
  return sendAnswer(reply, result.response, result.replayed);
}

/**
 * Send a write's (or a route handler's) answer: it varies on who asks and
 * on Accept, and on whatever its own Vary names.
 */
export function sendAnswer(reply: FastifyReply, response: StoredResponse, replayed = false): FastifyReply {
  const { vary, ...headers } = response.headers;
  const own = vary === undefined ? [] : vary.split(',').map((name) => name.trim());
  addVary(reply, 'Accept', 'Authorization', 'Cookie', ...own.filter((name) => name !== ''));
  if (replayed) reply.header('Idempotent-Replayed', 'true');
  return sendStored(reply, originate(reply, { ...response, headers }));
}
