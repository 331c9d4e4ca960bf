/**
 * Real sockets against a listening test app, for what only a connection can
 * show: timeouts, connection caps, closes and what Node's parser refuses.
 * A RawConnection records everything the server sends and when it closed.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { TestApp } from '../harness.js';

export interface RawResponse {
  status: number;
  /** Header names lowercased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

/** The first complete response in `text` (Content-Length framed), if it has all arrived. */
export function parseResponse(text: string): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = Buffer.from(text.slice(end + 4), 'latin1');
  if (body.length < length) return undefined;
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: body.subarray(0, length).toString('utf8'),
  };
}

export interface RawOptions {
  /**
   * Keep our side open (and writable) after the server's FIN, as a client
   * still uploading would: then only the server destroying the connection
   * ends it, which `gone()` reports.
   */
  halfOpen?: boolean;
}

export class RawConnection {
  readonly socket: Socket;
  readonly opened = Date.now();
  /** When the server closed (FIN) or reset the connection. */
  closedAt: number | undefined;
  /** When the connection was gone altogether. */
  goneAt: number | undefined;
  private received = '';
  private readonly ending: Promise<void>;
  private readonly going: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(port: number, options: RawOptions = {}) {
    this.socket = connect({ port, host: '127.0.0.1', allowHalfOpen: options.halfOpen ?? false });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('latin1');
      this.wake();
    });
    // A reset after the answer is part of what some tests provoke; the close is what they look at.
    this.socket.on('error', () => {});
    this.going = new Promise((resolve) => {
      this.socket.once('close', () => {
        this.goneAt = Date.now();
        this.closedAt ??= this.goneAt;
        this.wake();
        resolve();
      });
    });
    this.ending = Promise.race([
      this.going,
      new Promise<void>((resolve) => {
        this.socket.once('end', () => {
          this.closedAt ??= Date.now();
          resolve();
        });
      }),
    ]);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Wait until the socket is connected. */
  ready(): Promise<void> {
    if (!this.socket.connecting) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  /** Send bytes; false once the connection is gone. */
  write(data: string | Buffer): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(data);
    return true;
  }

  /** Everything the server sent so far. */
  text(): string {
    return this.received;
  }

  /** The first response, once it has all arrived (or fails after `ms`). */
  async response(ms = 10_000): Promise<RawResponse> {
    const until = Date.now() + ms;
    for (;;) {
      const parsed = parseResponse(this.received);
      if (parsed) return parsed;
      if (this.closedAt !== undefined) {
        assert.fail(`closed without a full response; got ${JSON.stringify(this.received.slice(0, 200))}`);
      }
      if (Date.now() > until)
        assert.fail(`no full response in ${ms} ms; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Resolves once the server closed the connection (its FIN or a reset); fails after `ms`. */
  async closed(ms = 10_000): Promise<void> {
    await within(this.ending, ms, `the server kept the connection open for ${ms} ms`);
  }

  /** Resolves once the connection is gone (reset, or closed both ways); fails after `ms`. */
  async gone(ms = 10_000): Promise<void> {
    await within(this.going, ms, `the connection was still there after ${ms} ms`);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

async function within(promise: Promise<void>, ms: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const outcome = await Promise.race([promise.then(() => 'done' as const), late]);
  clearTimeout(timer);
  assert.equal(outcome, 'done', message);
}

/** Start listening on a free port of 127.0.0.1; returns the port. */
export async function listen(t: TestApp): Promise<number> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

/** Open a connection and wait until it is connected. */
export async function rawConnection(port: number, options: RawOptions = {}): Promise<RawConnection> {
  const connection = new RawConnection(port, options);
  await connection.ready();
  return connection;
}

/** Send one request on a fresh connection and read the answer. */
export async function rawRequest(port: number, request: string | Buffer): Promise<RawResponse> {
  const connection = await rawConnection(port);
  try {
    connection.write(request);
    return await connection.response();
  } finally {
    connection.destroy();
  }
}

/** The number of connections the server holds open. */
export function openConnections(t: TestApp): Promise<number> {
  return new Promise((resolve, reject) =>
    t.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/** Resolves once `t` holds no connection (lingering ones included); fails after `ms`. */
export async function connectionsDrained(t: TestApp, ms = 8000): Promise<void> {
  const until = Date.now() + ms;
  while ((await openConnections(t)) > 0 && Date.now() < until) await sleep(50);
  assert.equal(await openConnections(t), 0, 'every connection was closed');
}

/** Asserts a raw response is a problem with that status; returns its body. */
export function assertRawProblem(res: RawResponse, status: number, detail?: RegExp): Record<string, unknown> {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.body}`);
  assert.equal(res.headers['content-type'], 'application/problem+json');
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.equal(body.status, status);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  if (detail) assert.match(body.detail as string, detail);
  return body;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
