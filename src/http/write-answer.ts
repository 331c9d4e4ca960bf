/** Running a write with its Idempotency-Key claim, shared by the API's record routes and custom routes. */
import type { FastifyRequest } from 'fastify';
import type {
  IdempotencyClaim,
  RunResult,
  StoredResponse,
  WriteRunner,
} from '../service/idempotent-write.js';
import type { WriteScope } from '../service/write-scope.js';
import { prefersHtml } from '../util/accept.js';
import { renderProblem } from './plugins/problem.js';

/** How long a browser form's resubmission waits for the first submission to finish. */
export const FORM_WAIT_MS = 10_000;

/**
 * Run `op` in one transaction with its claim. A browser's double submit
 * waits for the first one and shows its answer, rather than a 409 page.
 */
export function runWrite(
  runner: WriteRunner,
  req: FastifyRequest,
  claim: IdempotencyClaim | null,
  op: (scope: WriteScope) => Promise<StoredResponse>,
): Promise<RunResult> {
  const waitMs = prefersHtml(req.headers.accept) ? FORM_WAIT_MS : 0;
  return runner.run(claim, op, (problem) => renderProblem(problem, req), waitMs);
}
