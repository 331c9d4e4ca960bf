/**
 * WAL checkpoints off the request path. SQLite's own autocheckpoint runs
 * inside the COMMIT that crosses its threshold, so its copying and fsyncs
 * land in one random request. Here it is off, and a PASSIVE checkpoint runs
 * between commit groups (once their answers are on their way) after about
 * as many writes as fill SQLite's default 1,000 pages, or after a quiet
 * second, so the WAL stays small either way.
 */
import type Database from 'better-sqlite3';

export interface CheckpointOptions {
  /** Transactions after which a checkpoint is due; default 256 (a few WAL pages each). */
  everyTransactions?: number;
  /** A checkpoint is due this long (ms) after the first commit it would copy; default 1,000. */
  everyMs?: number;
}

export class WalCheckpoints {
  private pending = 0;
  private since = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly everyTransactions: number;
  private readonly everyMs: number;
  /** Checkpoints run (for tests and benchmarks). */
  runs = 0;

  constructor(
    private readonly db: Database.Database,
    /** True while no transaction is open or waiting on the connection. */
    private readonly idle: () => boolean,
    options: CheckpointOptions = {},
  ) {
    this.everyTransactions = options.everyTransactions ?? 256;
    this.everyMs = options.everyMs ?? 1000;
    db.pragma('wal_autocheckpoint = 0');
  }

  /** A group of `transactions` committed. */
  committed(transactions: number): void {
    if (this.pending === 0) this.since = Date.now();
    this.pending += transactions;
    // A quiet connection still gets its checkpoint; a busy one has it between groups.
    this.timer ??= setTimeout(() => this.onTimer(), this.everyMs).unref();
  }

  due(): boolean {
    return (
      this.pending >= this.everyTransactions || (this.pending > 0 && Date.now() - this.since >= this.everyMs)
    );
  }

  /** Copy what readers no longer need into the database file; never waits for a reader. */
  run(): void {
    if (this.pending === 0 || this.db.inTransaction || !this.db.open) return;
    this.pending = 0;
    this.runs++;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // A checkpoint that cannot run now (the disk is full, say) is tried again after later commits.
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private onTimer(): void {
    this.timer = null;
    if (this.pending === 0) return;
    if (this.idle()) this.run();
    else this.timer = setTimeout(() => this.onTimer(), this.everyMs).unref();
  }
}
