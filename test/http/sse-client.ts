/**
 * A small Server-Sent Events client over node:http (fetch's pool would
 * open a spare connection after an abort, which holds up a server's close), parsing the stream the way
 * the WHATWG EventSource does (fields id, event, data; comments ignored; an
 * event dispatched at a blank line when it has data; an id alone moves
 * Last-Event-ID), for tests against a listening server.
 */
import assert from 'node:assert/strict';
import { type ClientRequest, type IncomingMessage, request } from 'node:http';

/** What the tests read of the response head (fetch's Response shape, as far as needed). */
export interface SseResponse {
  status: number;
  headers: { get(name: string): string | null };
  /** The whole body (for an answer that is not a stream). */
  text(): Promise<string>;
}

function responseOf(res: IncomingMessage): SseResponse {
  return {
    status: res.statusCode ?? 0,
    headers: {
      get: (name) => {
        const value = res.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    text: async () => {
      let body = '';
      res.setEncoding('utf8');
      for await (const chunk of res) body += chunk;
      return body;
    },
  };
}

export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

export class SseClient {
  /** The id the browser would send as Last-Event-ID on reconnect. */
  lastEventId = '';
  /** Comment lines received (heartbeats). */
  comments = 0;
  readonly events: SseEvent[] = [];
  private taken = 0;
  private ended = false;
  private wakeUp: (() => void) | null = null;

  private constructor(
    readonly response: SseResponse,
    private readonly req: ClientRequest,
  ) {}

  /** Opens a stream: resolves once the response head has arrived, whatever its status. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false });
      req.on('error', reject);
      req.on('response', (res) => {
        const client = new SseClient(responseOf(res), req);
        req.on('error', () => {});
        if (res.statusCode === 200) void client.pump(res);
        resolve(client);
      });
      req.end();
    });
  }

  get ok(): boolean {
    return this.response.status === 200;
  }

  get closed(): boolean {
    return this.ended;
  }

  /**
   * The next event not yet taken, waiting at most `ms` (long: on PostgreSQL
   * a transaction open anywhere on the server holds events back until it ends).
   */
  async next(ms = 20_000): Promise<SseEvent> {
    const deadline = Date.now() + ms;
    while (this.taken >= this.events.length) {
      if (this.ended) throw new Error('the stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${ms} ms`);
      await this.wait(left);
    }
    return this.events[this.taken++] as SseEvent;
  }

  /** Asserts that no further event comes within `ms`. */
  async none(ms = 300): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    assert.deepEqual(this.events.slice(this.taken), [], 'no more events');
  }

  /** Waits until the stream ends (the server closed it), at most `ms`. */
  async end(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the stream did not end within ${ms} ms`);
      await this.wait(left);
    }
  }

  /** Waits until `check` holds (after each chunk received), at most `ms`. */
  async until(check: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.ended) throw new Error('the condition never held');
      await this.wait(left);
    }
  }

  close(): void {
    this.req.destroy();
    this.ended = true;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private notify(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }

  private async pump(body: IncomingMessage): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let id = this.lastEventId;
    let event = '';
    let data: string[] = [];
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline = buffer.search(/\r\n|\r|\n/);
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
          if (line === '') {
            this.lastEventId = id;
            if (data.length > 0) this.events.push({ id, event: event || 'message', data: data.join('\n') });
            event = '';
            data = [];
          } else if (line.startsWith(':')) this.comments++;
          else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            let value = colon < 0 ? '' : line.slice(colon + 1);
            if (value.startsWith(' ')) value = value.slice(1);
            if (field === 'id') id = value;
            else if (field === 'event') event = value;
            else if (field === 'data') data.push(value);
          }
          newline = buffer.search(/\r\n|\r|\n/);
        }
        this.notify();
      }
    } catch {
      // Aborted or cut: the stream has ended.
    }
    this.ended = true;
    this.notify();
  }
}
