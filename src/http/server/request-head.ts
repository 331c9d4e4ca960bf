/**
 * Checks on a parsed request head, made before the app sees the request:
 * the ones Node would otherwise answer itself with a bare status (a missing
 * Host, an expectation it cannot meet) and a request target over the URL
 * limit. A few property reads per request: this runs on every one.
 */
import type { IncomingMessage } from 'node:http';
import type { Limits } from '../../config/types.js';
import { Problem } from '../../util/problem.js';

/** How much of an unmet Expect value a detail repeats. */
const ECHO_MAX = 100;

/** The problem for a head the app must not serve, or undefined. */
export function headProblem(req: IncomingMessage, limits: Limits): Problem | undefined {
  const url = req.url ?? '';
  if (url.length > limits.url) {
    return new Problem(
      'uriTooLong',
      `The request target is ${url.length} bytes long; this server accepts at most ${limits.url}.`,
    );
  }
  if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor === 1) {
    return new Problem(
      'badRequest',
      'An HTTP/1.1 request must have a Host header field (RFC 9112 §3.2); this one has none.',
    );
  }
  return undefined;
}

/** The 417 for an Expect other than 100-continue (RFC 9110 §10.1.1). */
export function expectationProblem(expect: string | undefined): Problem {
  const value = (expect ?? '').slice(0, ECHO_MAX);
  return new Problem(
    'expectationFailed',
    `This server can meet no expectation but 100-continue; the request has Expect: ${value}.`,
  );
}
