/**
 * The one write path: runs one write in one transaction, with its
 * Idempotency-Key claimed and its answer, rendered by the renderer http
 * gave it at start-up, stored inside that same transaction: a crash can
 * never leave a write without its key or a key without its write.
 */
import { createHash } from 'node:crypto';
import { LockBusy } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { canonicalJson } from '../util/canonical-json.js';
import { isProblem, Problem } from '../util/problem.js';
import type { RecordWriter, WriteOutcome } from './record-writes.js';
import type { RecordWrite } from './write-request.js';
import type { WriteScope } from './write-scope.js';

/** A response as stored for replay: status, the headers that matter, and the body bytes. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyClaim {
  /** Caller + method + path. */
  scope: string;
  key: string;
  fingerprint: string;
}

export interface RunResult {
  response: StoredResponse;
  replayed: boolean;
}

/**
 * How answers are rendered for storing with their key, given once at
 * start-up. `R` is what the renderer needs of a request (http's own type:
 * the write path hands it over and never looks inside).
 */
export interface WriteRenderer<R> {
  /** A record write's outcome as its response. */
  outcome(outcome: WriteOutcome, write: RecordWrite, request: R): StoredResponse;
  /** A refusal the write ran into (a conflict, a failed precondition), kept so a retry replays it. */
  problem(problem: Problem, request: R): StoredResponse;
}

/** A write that is more than one record write and answers for itself (register, a batch, a route handler). */
export type ComposedWrite = (scope: WriteScope) => Promise<StoredResponse>;

/** One run of the write path: the request it answers, its claim and the write. */
export interface WriteRun<R> {
  request: R;
  claim: IdempotencyClaim | null;
  write: RecordWrite | ComposedWrite;
  /** Work in the same transaction once the record is written (a new password stored with it). */
  alongside?: ((scope: WriteScope) => Promise<void>) | null;
  /**
   * How long a key still in flight is waited for (then replayed) instead of
   * refused: a browser that submits a form twice shows the first
   * submission's answer, not a 409 page.
   */
  waitMs?: number;
}

export interface WriteRunnerDeps<R> {
  store: Store;
  writer: RecordWriter;
  render: WriteRenderer<R>;
  ttlSeconds: number;
  now?: () => Date;
  /** Reports a failure that cannot reach the client (an after-hook that threw). */
  onError?: (error: unknown) => void;
}

/** The request's fingerprint: method, path and body, with key order ignored. */
export function fingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson([method, path, body ?? null]))
    .digest('base64url');
}

/** Outcomes kept for replay: success (a form's 303 too), and conflicts the write itself ran into. */
function storable(status: number): boolean {
  return (status >= 200 && status < 400) || status === 409 || status === 412;
}

export class WriteRunner<R> {
  private readonly now: () => Date;

  constructor(private readonly deps: WriteRunnerDeps<R>) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Run the write in a transaction; with a claim, replay or refuse as the Idempotency-Key rules say. */
  async run(request: WriteRun<R>): Promise<RunResult> {
    const deadline = Date.now() + (request.waitMs ?? 0);
    for (;;) {
      try {
        return await this.runOnce(request);
      } catch (error) {
        const inFlight = error instanceof Problem && error.code === 'idempotencyKeyInUse';
        if (!inFlight || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** The write's response, rendered inside its transaction. */
  private async perform(request: WriteRun<R>, scope: WriteScope): Promise<StoredResponse> {
    const { write } = request;
    if (typeof write === 'function') return write(scope);
    // Without a key to store or other work alongside, the record write is the transaction's last statement.
    const last = request.claim === null && !request.alongside;
    const outcome = await this.deps.writer.write(write, scope, last);
    await request.alongside?.(scope);
    return this.deps.render.outcome(outcome, write, request.request);
  }

  private async runOnce(request: WriteRun<R>): Promise<RunResult> {
    const { claim } = request;
    const op = (scope: WriteScope) => this.perform(request, scope);
    const after: WriteScope['afterCommit'] = [];
    const { store } = this.deps;
    if (!claim) {
      const response = await store.transaction((tx) => op({ tx, afterCommit: after, depth: 0 }));
      await this.runAfter(after);
      return { response, replayed: false };
    }
    const notBefore = new Date(this.now().getTime() - this.deps.ttlSeconds * 1000).toISOString();
    const lock = `idempotency ${claim.scope} ${claim.key}`;
    const save = async (tx: WriteScope['tx'], response: StoredResponse) => {
      if (!storable(response.status)) return;
      const entry = { ...claim, ...response, created: this.now().toISOString() };
      await tx.putIdempotency(entry, notBefore);
    };
    try {
      const result = await store.transaction(
        async (tx): Promise<RunResult> => {
          const existing = await tx.getIdempotency(claim.scope, claim.key, notBefore);
          if (existing) {
            if (existing.fingerprint !== claim.fingerprint) {
              throw new Problem(
                'idempotencyKeyReused',
                'This Idempotency-Key was already used with a different request (method, path or body); use a new key.',
              );
            }
            const { status, headers, body } = existing;
            return { response: { status, headers, body }, replayed: true };
          }
          const response = await op({ tx, afterCommit: after, depth: 0 });
          await save(tx, response);
          return { response, replayed: false };
        },
        { lock },
      );
      if (!result.replayed) await this.runAfter(after);
      return result;
    } catch (error) {
      if (error instanceof LockBusy) {
        throw new Problem(
          'idempotencyKeyInUse',
          'A request with this Idempotency-Key is still being processed; retry once it has finished.',
          { headers: { 'Retry-After': '1' } },
        );
      }
      if (!isProblem(error) || !storable(error.status) || error.code === 'idempotencyKeyReused') throw error;
      // The write was rolled back; keep its refusal so a retry replays it rather than running again.
      const response = this.deps.render.problem(error, request.request);
      await store.transaction((tx) => save(tx, response), { lock }).catch(() => undefined);
      return { response, replayed: false };
    }
  }

  private async runAfter(after: WriteScope['afterCommit']): Promise<void> {
    for (const hook of after) {
      try {
        await this.deps.store.transaction((tx) => hook({ tx, afterCommit: [], depth: 1 }));
      } catch (error) {
        this.deps.onError?.(error);
      }
    }
  }
}
