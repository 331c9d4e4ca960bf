/**
 * Answers given below Fastify, by the server itself: a problem written
 * straight onto a socket (no request was parsed, or it is not ours to
 * serve), or through Node's response for a request that never reaches the
 * app. Bodies come from the problem catalogue, like every other problem;
 * they carry no `instance` (the request target may be what was wrong).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { httpDate } from '../../util/http-date.js';
import { PROBLEM_TYPE } from '../../util/media-types.js';
import type { Problem } from '../../util/problem.js';
import { bodyUnread, lingerAfterResponse, lingeringClose } from './lingering-close.js';

/**
 * Tell whatever reads the request's body (Fastify's parser, the multipart
 * reader) that the body failed, as an error on the request stream — what a
 * broken connection would do, but with the connection still there, so the
 * app answers with its own renderer and drops what it staged at once.
 * False when nothing reads the body: then the caller answers.
 */
export function tellBodyReader(req: IncomingMessage, problem: Problem): boolean {
  if (req.listenerCount('error') === 0) return false;
  req.emit('error', problem);
  return true;
}

/** A complete HTTP/1.1 response for the problem, closing the connection. */
export function rawProblem(problem: Problem): string {
  const body = JSON.stringify(problem.toJSON());
  const head = [
    `HTTP/1.1 ${problem.status} ${problem.title}`,
    `Date: ${httpDate(new Date())}`,
    `Content-Type: ${PROBLEM_TYPE}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(problem.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

/** Write the problem onto a socket that has no response in progress, then close it lingering. */
export function answerSocket(socket: Socket, problem: Problem): void {
  if (socket.writable) socket.write(rawProblem(problem));
  lingeringClose(socket);
}

/**
 * Answer a request with the problem through Node's response. A request whose
 * body has not all arrived gets Connection: close and a lingering close, so
 * the rest is neither read without limit nor taken for the next request.
 */
export function answerRequest(req: IncomingMessage, res: ServerResponse, problem: Problem): void {
  const body = Buffer.from(JSON.stringify(problem.toJSON()));
  const headers: Record<string, string | number> = {
    ...problem.headers,
    'content-type': PROBLEM_TYPE,
    'content-length': body.length,
  };
  if (bodyUnread(req)) {
    headers.connection = 'close';
    lingerAfterResponse(req.socket, req);
  }
  res.writeHead(problem.status, problem.title, headers);
  res.end(body);
}
