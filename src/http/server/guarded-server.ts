/**
 * The HTTP server under Fastify, built so that slow or malformed clients
 * cannot hold it: a deadline for request heads, for bodies (the watchdog)
 * and for idle keep-alive connections, a cap on connections, and a problem
 * for everything Node would otherwise answer with a bare status.
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Limits, Timeouts } from '../../config/types.js';
import { BodyWatchdog } from './body-watchdog.js';
import { capConnections, connectionBudget, openFileLimit } from './connection-cap.js';
import { announcesBody, isClosing } from './lingering-close.js';
import { expectationProblem, headProblem } from './request-head.js';
import { answerRequest } from './server-answer.js';

/** How often Node checks request heads against their deadline: the 408 comes at most this late. */
export const HEAD_CHECK_MS = 1000;

export interface GuardOptions {
  limits: Limits;
  timeouts: Timeouts;
  /** Accepting a connection failed (out of file descriptors): worth a log line, not a crash. */
  onAcceptError?: (error: Error) => void;
}

/** Node's timers hold at most 2^31 - 1 ms (some 24 days); a longer setting would wrap to almost nothing. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function ms(seconds: number): number {
  return Math.min(seconds * 1000, MAX_TIMER_MS);
}

/** A refused or answered connection serves nothing more; what it still sends is discarded. */
function refuse(req: IncomingMessage): boolean {
  if (!isClosing(req.socket)) return false;
  req.resume();
  return true;
}

/** A Fastify `serverFactory` for the guarded server. */
export function guardedServer(options: GuardOptions): (handler: RequestListener) => Server {
  const { limits, timeouts } = options;
  return (handler) => {
    const server = createServer({
      headersTimeout: ms(timeouts.headers),
      // Node's limit on the whole request would also cut a slow handler; bodies have the watchdog.
      requestTimeout: 0,
      keepAliveTimeout: ms(timeouts.idle),
      connectionsCheckingInterval: HEAD_CHECK_MS,
      maxHeaderSize: limits.headers,
      // Answered below as a problem rather than Node's bare 400.
      requireHostHeader: false,
    });
    const watchdog = new BodyWatchdog(timeouts);
    capConnections(server, connectionBudget(limits.connections, openFileLimit()));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (refuse(req)) return;
      const problem = headProblem(req, limits);
      if (problem !== undefined) {
        answerRequest(req, res, problem);
        return;
      }
      if (announcesBody(req)) watchdog.watch(req, res);
      handler(req, res);
    });
    // With a listener Node leaves an Expect other than 100-continue to us (it would send a bare 417).
    server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
      if (!refuse(req)) answerRequest(req, res, expectationProblem(req.headers.expect));
    });
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (error.syscall === 'accept') options.onAcceptError?.(error);
    });
    server.on('close', () => watchdog.stop());
    return server;
  };
}
