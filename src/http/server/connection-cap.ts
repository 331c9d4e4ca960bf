/**
 * A cap on open connections: `limits.connections`, and never so many that
 * the process runs out of file descriptors (the database, staged uploads and
 * files being sent need theirs). A connection over the cap is told so — a
 * 503 problem with Retry-After — and closed, rather than reset in silence;
 * past a further margin Node drops new connections itself, so that even a
 * flood of refusals cannot use up the descriptors.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { Problem } from '../../util/problem.js';
import { answerSocket } from './server-answer.js';

/** Seconds a refused client is asked to wait: time for the timeouts to free some connections. */
export const RETRY_AFTER_SECONDS = 5;

export interface ConnectionBudget {
  /** Connections served at once. */
  serve: number;
  /** Connections accepted at all, refusals included (Node's maxConnections). */
  accept: number;
}

/** The soft "Max open files" limit in the text of /proc/self/limits; undefined if unlimited or absent. */
export function parseOpenFileLimit(text: string): number | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (match === null || match[1] === 'unlimited') return undefined;
  return Number(match[1]);
}

/** The process's open-file soft limit, where the system says (Linux); undefined elsewhere. */
export function openFileLimit(): number | undefined {
  try {
    return parseOpenFileLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The configured cap, lowered to the file limit minus a reserve of a tenth
 * (at least 100) for everything that is not a connection. Half the reserve
 * may go to connections that are only refused.
 */
export function connectionBudget(configured: number, fileLimit: number | undefined): ConnectionBudget {
  const reserve = Math.max(100, Math.ceil((fileLimit ?? configured) / 10));
  const serve = Math.max(1, Math.min(configured, fileLimit === undefined ? configured : fileLimit - reserve));
  return { serve, accept: serve + Math.ceil(reserve / 2) };
}

/** Serve at most `budget.serve` connections at once; answer the others 503 and close them. */
export function capConnections(server: Server, budget: ConnectionBudget): void {
  server.maxConnections = budget.accept;
  const refusal = new Problem(
    'unavailable',
    `This server is serving as many connections as it takes (${budget.serve}); try again in a few seconds.`,
    { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
  );
  let open = 0;
  server.on('connection', (socket: Socket) => {
    if (open >= budget.serve) {
      // Node's parser is already attached: the request it reads is ignored, as on any closing connection.
      answerSocket(socket, refusal);
      return;
    }
    open++;
    socket.once('close', () => {
      open--;
    });
  });
}
