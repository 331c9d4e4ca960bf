/**
 * Request bodies must keep arriving (mod_reqtimeout's model): a body has
 * `timeouts.body` seconds, plus one more for every `timeouts.bodyRate` bytes
 * received so far. A client that sends slower is answered 408 and its
 * connection closed, so a trickle cannot hold a connection (and its file
 * descriptor) for ever. Only an incomplete body is timed: once the last byte
 * is in, a slow handler has all the time it needs.
 *
 * The cut-off goes to whatever reads the body (tellBodyReader), so the app
 * answers the 408 and an upload being staged is dropped at once; a body
 * nobody reads, or a reader that does not answer by the next sweep, gets
 * the 408 from here.
 *
 * One interval timer sweeps every body in flight; nothing is timed per
 * request. Most bodies arrive with their head, so a request is only taken
 * into the sweep after the parser has had its turn at the bytes already read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Timeouts } from '../../config/types.js';
import { Problem } from '../../util/problem.js';
import { answerRequest, tellBodyReader } from './server-answer.js';

/** How often in-flight bodies are checked: the cut-off comes at most this late. */
export const SWEEP_MS = 1000;

interface InFlight {
  req: IncomingMessage;
  res: ServerResponse;
  socket: Socket;
  startedAt: number;
  /** The socket's byte count when the head had been read. */
  bytesAtStart: number;
  /** The body's reader was told of the timeout (it answers by the next sweep, or this does). */
  told: boolean;
}

export class BodyWatchdog {
  private readonly bodyMs: number;
  private readonly bytesPerSecond: number;
  private readonly detail: string;
  /** Requests seen in this turn of the event loop, not yet known to be waiting for their body. */
  private fresh: InFlight[] = [];
  private readonly waiting = new Set<InFlight>();
  /** Runs only while some body is awaited, so an idle server (or one never listening) holds no timer. */
  private timer: NodeJS.Timeout | undefined;

  constructor(timeouts: Timeouts) {
    this.bodyMs = timeouts.body * 1000;
    this.bytesPerSecond = timeouts.bodyRate;
    this.detail =
      `The request body did not arrive in time: this server waits ${timeouts.body} s for a body, ` +
      `plus 1 s for every ${timeouts.bodyRate} bytes received.`;
  }

  /** Time the body of a request that has one. */
  watch(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    if (this.fresh.length === 0) setImmediate(() => this.admit());
    this.fresh.push({ req, res, socket, startedAt: Date.now(), bytesAtStart: socket.bytesRead, told: false });
  }

  /** Keep the requests whose body is still on its way. */
  private admit(): void {
    for (const entry of this.fresh) if (!entry.req.complete) this.waiting.add(entry);
    this.fresh = [];
    if (this.waiting.size > 0 && this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(Date.now()), SWEEP_MS);
      this.timer.unref();
    }
  }

  /** Cut off every body past its deadline. */
  sweep(now: number): void {
    for (const entry of this.waiting) {
      const { req, res, socket } = entry;
      if (req.complete || socket.destroyed || (entry.told && res.headersSent)) {
        this.waiting.delete(entry);
        continue;
      }
      const received = socket.bytesRead - entry.bytesAtStart;
      if (!entry.told && now < entry.startedAt + this.bodyMs + (received * 1000) / this.bytesPerSecond)
        continue;
      this.cutOff(entry);
    }
    if (this.waiting.size === 0) this.stop();
  }

  private cutOff(entry: InFlight): void {
    const { req, res, socket } = entry;
    if (res.headersSent) {
      // An answer already under way cannot be replaced by a 408; the connection just ends.
      this.waiting.delete(entry);
      socket.destroy();
    } else if (!entry.told && tellBodyReader(req, new Problem('requestTimeout', this.detail))) {
      entry.told = true;
    } else {
      this.waiting.delete(entry);
      answerRequest(req, res, new Problem('requestTimeout', this.detail));
    }
  }

  /** Stop sweeping until the next body is awaited. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
