/**
 * What Node's HTTP parser refuses, and a request head that does not arrive
 * in time, answered as problems with the status that says what was wrong
 * (Node's own answers are a bare 400, 408 or 431). Runs as the server's
 * 'clientError' handler, which Node calls in place of answering itself.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Limits, Timeouts } from '../../config/types.js';
import { Problem } from '../../util/problem.js';
import { isClosing } from './lingering-close.js';
import { answerRequest, answerSocket, tellBodyReader } from './server-answer.js';

interface ParserError extends Error {
  code?: string;
  /** llhttp's words for what it objected to. */
  reason?: string;
  /** The bytes the parser was reading when it failed. */
  rawPacket?: Buffer;
}

/** Node's socket keeps its in-flight response here (the same check Node makes before answering). */
interface HttpSocket extends Socket {
  _httpMessage?: ServerResponse | null;
}

/** Connections whose parser error is being answered: the parser reports again for every later read. */
const reported = new WeakSet<Socket>();

/** A request line starts with a method token and a space. */
const REQUEST_LINE_START = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ /;

/**
 * Whether a head over the size limit failed on its request line: the bytes
 * the parser was reading start a request, and its first line break (if any)
 * comes after `limit` bytes. Exact when the head arrives in one read (as it
 * does from any ordinary client); a head trickled in pieces is reported as
 * too large header fields.
 */
export function requestLineTooLong(packet: Buffer | undefined, limit: number): boolean {
  if (packet === undefined || !REQUEST_LINE_START.test(packet.subarray(0, 64).toString('latin1')))
    return false;
  const lineEnd = packet.indexOf(0x0a);
  return lineEnd === -1 || lineEnd >= limit;
}

/** The problem for an error Node's parser (or its head timeout) raised. */
export function clientErrorProblem(error: ParserError, limits: Limits, timeouts: Timeouts): Problem {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new Problem(
        'requestTimeout',
        `The request line and header fields did not arrive within ${timeouts.headers} s.`,
      );
    case 'HPE_HEADER_OVERFLOW':
      return requestLineTooLong(error.rawPacket, limits.headers)
        ? new Problem(
            'uriTooLong',
            `The request line is longer than the ${limits.headers} bytes this server accepts for a whole request head.`,
          )
        : new Problem(
            'headersTooLarge',
            `The request line and header fields are larger than the ${limits.headers} bytes this server accepts.`,
          );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new Problem('payloadTooLarge', 'The chunk extensions in the request body are too large.');
    case 'HPE_INVALID_METHOD':
      return new Problem('notImplemented', 'This server does not know that method.');
    default:
      return new Problem(
        'badRequest',
        `The request could not be parsed as HTTP/1.1: ${error.reason ?? error.message} (${error.code}).`,
      );
  }
}

/**
 * The 'clientError' handler: answer once, in order, never onto a response
 * already started, and always close. With a response in progress, the error
 * is either in that request's body (its reader is told, and the app answers)
 * or in a request pipelined after it (answered once the one before is sent).
 */
export function clientErrorHandler(
  limits: Limits,
  timeouts: Timeouts,
): (error: Error, socket: Socket) => void {
  return (raised, socket) => {
    const error = raised as ParserError;
    // The first answer stands, also on a connection already closing for another reason.
    if (reported.has(socket) || isClosing(socket)) return;
    const code = error.code ?? '';
    // A socket error (a reset, a broken pipe) needs no answer.
    if (!code.startsWith('HPE_') && code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.destroy();
      return;
    }
    reported.add(socket);
    const problem = clientErrorProblem(error, limits, timeouts);
    const res = (socket as HttpSocket)._httpMessage;
    if (!res) answerSocket(socket, problem);
    else if (res.headersSent) socket.destroy();
    else if (!res.req.complete) {
      if (!tellBodyReader(res.req, problem)) answerRequest(res.req, res, problem);
    } else res.once('finish', () => answerSocket(socket, problem));
  };
}
