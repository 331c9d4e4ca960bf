/**
 * A Server-Sent Events stream (the WHATWG EventSource format) over a
 * PassThrough that Fastify pipes to the response. What waits for a slow
 * client is bounded: past `maxBytes` unsent, the connection is cut rather
 * than buffered further; the client reconnects with Last-Event-ID and is
 * replayed what it missed.
 */
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { RealtimeEvent } from '../service/realtime/audience.js';
import type { EventSink } from '../service/realtime/streams.js';

/** How long a closed stream's client has to take what is left. */
const CLOSE_GRACE_MS = 1000;

export class SseStream implements EventSink {
  readonly body = new PassThrough();
  private done = false;
  private readonly listeners: (() => void)[] = [];
  /** Text written this turn of the event loop: sent in one write (a burst of events, one syscall). */
  private pending = '';

  constructor(
    private readonly socket: Socket,
    private readonly maxBytes: number,
  ) {
    // However it ends (client gone, server stopping, cut), the listeners hear of it once.
    this.body.on('close', () => this.finish());
    socket.once('close', () => this.finish());
    // The client hung up: Node would keep the half-closed socket until the endless response ends.
    socket.once('end', () => {
      this.finish();
      socket.destroy();
    });
  }

  get closed(): boolean {
    return this.done;
  }

  send(event: RealtimeEvent): void {
    // JSON text holds no line breaks, so the data is one `data:` line.
    this.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${event.data}\n\n`);
  }

  reset(id: number): void {
    this.write(`${id > 0 ? `id: ${id}\n` : ''}event: reset\ndata: {}\n\n`);
  }

  position(id: number): void {
    // An id with no data moves the client's Last-Event-ID without firing an event.
    this.write(`id: ${id}\n\n`);
  }

  /** The stream's first lines: how soon a client should reconnect, and a comment that shows it open. */
  start(retryMs: number): void {
    this.write(`retry: ${retryMs}\n:\n\n`);
  }

  /** A comment line: keeps proxies from taking the stream for an idle connection. */
  heartbeat(): void {
    this.write(':\n\n');
  }

  onClose(listener: () => void): void {
    if (this.done) listener();
    else this.listeners.push(listener);
  }

  /**
   * Ends the stream cleanly: what was written is sent, then the response
   * ends; a client that does not take it within a second is cut, so it
   * cannot hold up a server that is stopping.
   */
  close(): void {
    if (this.done) return;
    this.flush();
    this.body.end();
    this.finish();
    const cut = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    cut.unref();
    this.socket.once('close', () => clearTimeout(cut));
  }

  private write(text: string): void {
    if (this.done) return;
    if (this.pending === '') setImmediate(() => this.flush());
    this.pending += text;
    if (this.body.writableLength + this.pending.length > this.maxBytes) {
      // Too far behind: cut the connection now (ending would wait for the client to read it all).
      this.pending = '';
      this.finish();
      this.socket.destroy();
    }
  }

  private flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (!this.done) this.body.write(text);
  }

  private finish(): void {
    if (this.done && this.listeners.length === 0) return;
    this.done = true;
    const listeners = this.listeners.splice(0);
    for (const listener of listeners) listener();
  }
}
