/**
 * Write transactions on SQLite's one write connection, committed in groups.
 * They still run one at a time (hooks may await inside one), but each in a
 * savepoint of a shared outer transaction: whatever is waiting when one
 * finishes joins it, and one COMMIT — one fsync with durable commits —
 * settles them all. A transaction is answered only after the COMMIT that
 * holds it, so nothing is acknowledged before it is on disk; one that fails
 * rolls back to its savepoint and leaves the others as they were.
 */
import type Database from 'better-sqlite3';

interface Job {
  fn: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most transactions in one commit; default 64. */
  maxBatch?: number;
  /** A group stops taking newcomers once open this long (ms), so the first waits little; default 5. */
  maxWaitMs?: number;
  /** The error a caller sees for a failure of the database itself (e.g. a full disk). */
  translate?: (error: unknown) => unknown;
  /** Told of every group: null once it committed, else the database's error that undid it. */
  onCommit?: (error: unknown) => void;
  /** Told how many transactions each committed group carried (WAL checkpoints count them). */
  committed?: (transactions: number) => void;
  /** Asked before each group begins: a promise to wait for first (a WAL checkpoint), or null. */
  beforeGroup?: () => Promise<void> | null;
}

export interface CommitStats {
  /** Transactions that ran (committed or not). */
  transactions: number;
  /** COMMITs that succeeded. */
  commits: number;
}

/** Errors after which SQLite may have rolled back the whole transaction (lang_transaction.html). */
const FATAL = /^SQLITE_(FULL|IOERR|NOMEM|BUSY|CORRUPT|CANTOPEN|NOTADB|READONLY)/;

function fatal(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && FATAL.test(code);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class GroupCommit {
  readonly stats: CommitStats = { transactions: 0, commits: 0 };
  private readonly waiting: Job[] = [];
  private running: Promise<void> | null = null;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly translate: (error: unknown) => unknown;

  constructor(
    private readonly db: Database.Database,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 64;
    this.maxWaitMs = options.maxWaitMs ?? 5;
    this.translate = options.translate ?? ((error) => error);
  }

  /** Run `fn` as one transaction; resolves once it has committed. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.running ??= this.pump();
    });
  }

  /** True while no transaction is waiting or running. */
  get idle(): boolean {
    return this.running === null;
  }

  /** Resolves once no transaction is waiting or running. */
  async drained(): Promise<void> {
    while (this.running) await this.running;
  }

  private async pump(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const wait = this.options.beforeGroup?.();
        if (wait) await wait;
        await this.group();
      }
    } finally {
      this.running = null;
    }
  }

  /** One outer transaction: as many waiting transactions as join it, then one COMMIT. */
  private async group(): Promise<void> {
    const done: { job: Job; value: unknown }[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      this.failAll(this.waiting.splice(0), error);
      return;
    }
    const opened = Date.now();
    let yielded = false;
    while (done.length < this.maxBatch && Date.now() - opened <= this.maxWaitMs) {
      const job = this.waiting.shift();
      if (!job) {
        // Requests read in this turn of the event loop are still on their way here: let them join.
        if (yielded || done.length === 0) break;
        yielded = true;
        await nextTurn();
        continue;
      }
      yielded = false;
      const outcome = await this.step(job);
      if ('lost' in outcome) {
        // The whole outer transaction is gone, and with it the work of those that finished before.
        this.rollback();
        this.options.onCommit?.(outcome.lost);
        this.failAll(
          done.map((d) => d.job),
          outcome.lost,
        );
        return;
      }
      if ('value' in outcome) done.push({ job, value: outcome.value });
    }
    if (done.length === 0) {
      this.rollback();
      return;
    }
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      this.rollback();
      this.options.onCommit?.(error);
      this.failAll(
        done.map((d) => d.job),
        error,
      );
      return;
    }
    this.stats.commits++;
    this.options.onCommit?.(null);
    this.options.committed?.(done.length);
    for (const { job, value } of done) job.resolve(value);
  }

  /** Run one transaction in its own savepoint. */
  private async step(job: Job): Promise<{ value: unknown } | { failed: true } | { lost: unknown }> {
    this.stats.transactions++;
    this.db.exec('SAVEPOINT tx');
    try {
      const value = await job.fn();
      this.db.exec('RELEASE tx');
      return { value };
    } catch (error) {
      if (fatal(error) || !this.db.inTransaction) {
        job.reject(this.translate(error));
        return { lost: error };
      }
      try {
        this.db.exec('ROLLBACK TO tx');
        this.db.exec('RELEASE tx');
      } catch (rollbackError) {
        job.reject(this.translate(rollbackError));
        return { lost: rollbackError };
      }
      job.reject(error);
      return { failed: true };
    }
  }

  private rollback(): void {
    if (!this.db.inTransaction) return;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // Already rolled back by SQLite itself (see FATAL): nothing is left to undo.
    }
  }

  private failAll(jobs: Job[], error: unknown): void {
    const reason = this.translate(error);
    for (const job of jobs) job.reject(reason);
  }
}
