/**
 * Runs one write in one transaction, with its Idempotency-Key claimed and
 * its outcome stored inside that same transaction: a crash can never leave
 * a write without its key or a key without its write.
 */
import { createHash } from 'node:crypto';
import { LockBusy } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { canonicalJson } from '../util/canonical-json.js';
import { isProblem, Problem } from '../util/problem.js';
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

export interface WriteRunnerDeps {
  store: Store;
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

export class WriteRunner {
  private readonly now: () => Date;

  constructor(private readonly deps: WriteRunnerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Run `op` in a transaction; with a claim, replay or refuse as the
   * Idempotency-Key rules say. With `waitMs`, a key still in flight is
   * waited for (then replayed) instead of refused: a browser that submits a
   * form twice shows the first submission's answer, not a 409 page.
   */
  async run(
    claim: IdempotencyClaim | null,
    op: (scope: WriteScope) => Promise<StoredResponse>,
    renderError: (problem: Problem) => StoredResponse,
    waitMs = 0,
  ): Promise<RunResult> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return await this.runOnce(claim, op, renderError);
      } catch (error) {
        const inFlight = error instanceof Problem && error.code === 'idempotencyKeyInUse';
        if (!inFlight || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  private async runOnce(
    claim: IdempotencyClaim | null,
    op: (scope: WriteScope) => Promise<StoredResponse>,
    renderError: (problem: Problem) => StoredResponse,
  ): Promise<RunResult> {
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
      const response = renderError(error);
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
