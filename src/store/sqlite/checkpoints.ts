/**
 * WAL checkpoints off the request path. SQLite's own autocheckpoint runs
 * inside the COMMIT that crosses its threshold, so its copying and fsyncs
 * land in one random request, and with better-sqlite3 they stall the whole
 * event loop. Here it is off; a PASSIVE checkpoint (which never waits for,
 * nor blocks, readers and the writer) runs on a connection of its own in a
 * worker thread, after 1,024 transactions (`everyTransactions`), or a
 * second after the first write it would copy, so the WAL stays small
 * either way. Should the worker be unavailable, the checkpoint runs
 * on the writer between transactions, as SQLite's own would have.
 *
 * A checkpoint that runs while writes go on cannot copy what they append,
 * and a writer starts the WAL over only once all of it is copied: under a
 * steady write load the file would grow without end (every append then
 * grows the file, so every commit's sync also writes file-system metadata).
 * So once the WAL holds `restartFrames`, the next group of writes waits for
 * one checkpoint (`gate`), which then copies all of it, and that group
 * writes from the start of the file again.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

export interface CheckpointOptions {
  /**
   * Transactions after which a checkpoint is due; default 1,024 (a few WAL pages each). Fewer,
   * larger checkpoints copy a page that several transactions changed once, and sync less often.
   */
  everyTransactions?: number;
  /** A checkpoint is due this long (ms) after the first commit it would copy; default 1,000. */
  everyMs?: number;
  /** WAL frames past which the next group waits for a checkpoint, so the WAL starts over; default 8,192 (32 MiB). */
  restartFrames?: number;
}

interface CheckpointResult {
  busy?: number;
  /** Frames in the WAL. */
  log?: number;
  error?: string;
}

// CommonJS, evaluated in the worker: one connection that only checkpoints.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  let result = null;
  try {
    result = db.pragma('wal_checkpoint(PASSIVE)')[0];
  } catch (error) {
    result = { error: String(error) };
  }
  parentPort.postMessage(result);
});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export class WalCheckpoints {
  private pending = 0;
  private since = 0;
  private timer: NodeJS.Timeout | null = null;
  private worker: Worker | null = null;
  private workerFailed = false;
  /** A checkpoint is running in the worker: the next waits for it. */
  private inFlight = false;
  private stopped = false;
  private readonly everyTransactions: number;
  private readonly everyMs: number;
  private readonly restartFrames: number;
  /** Frames in the WAL at the last checkpoint (0 once one ran with writes held). */
  private walFrames = 0;
  /** Writes wait for a checkpoint: resolved once it ran. */
  private held: { done: Promise<void>; release: () => void; started: boolean } | null = null;
  /** Checkpoints finished (for tests and benchmarks). */
  runs = 0;

  constructor(
    private readonly db: Database.Database,
    /** True while no transaction is open or waiting on the writer (for the fallback). */
    private readonly idle: () => boolean,
    options: CheckpointOptions = {},
  ) {
    this.everyTransactions = options.everyTransactions ?? 1024;
    this.everyMs = options.everyMs ?? 1000;
    this.restartFrames = options.restartFrames ?? 8192;
    db.pragma('wal_autocheckpoint = 0');
  }

  /** A group of `transactions` committed. */
  committed(transactions: number): void {
    if (this.stopped) return;
    if (this.pending === 0) this.since = Date.now();
    this.pending += transactions;
    if (this.due()) this.run();
    // A quiet writer still gets its checkpoint.
    else this.timer ??= setTimeout(() => this.onTimer(), this.everyMs).unref();
  }

  due(): boolean {
    return (
      this.pending >= this.everyTransactions || (this.pending > 0 && Date.now() - this.since >= this.everyMs)
    );
  }

  /**
   * Called before a group of writes begins: a promise to wait for when the WAL has grown past
   * `restartFrames` (a checkpoint runs meanwhile), else null.
   */
  gate(): Promise<void> | null {
    if (this.held) return this.held.done;
    if (this.walFrames < this.restartFrames || this.stopped || this.workerFailed) return null;
    let release = () => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = { done, release, started: false };
    this.pending = Math.max(this.pending, 1);
    this.run();
    // No worker to run it (the fallback runs between groups): nothing to wait for.
    if (!this.inFlight) this.releaseWrites();
    return this.held ? done : null;
  }

  /** Start a checkpoint of what is committed so far (unless one is running: it is started again once that ends). */
  run(): void {
    if (this.pending === 0 || this.inFlight || this.stopped) return;
    this.clearTimer();
    this.pending = 0;
    const worker = this.startWorker();
    if (worker) {
      this.inFlight = true;
      if (this.held) this.held.started = true;
      worker.postMessage('checkpoint');
      return;
    }
    if (!this.idle() || this.db.inTransaction) {
      this.pending = 1;
      this.timer = setTimeout(() => this.onTimer(), 10).unref();
      return;
    }
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // A checkpoint that cannot run now (the disk is full, say) is tried again after later commits.
    }
    this.runs++;
  }

  /** Resolves once no checkpoint is running; none starts afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    this.releaseWrites();
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // The worker closes its connection after the checkpoint in hand, then exits; until then it keeps the process.
    worker.ref();
    worker.postMessage('close');
    const force = setTimeout(() => void worker.terminate(), 10_000).unref();
    await exited;
    clearTimeout(force);
  }

  private startWorker(): Worker | null {
    if (this.worker || this.workerFailed) return this.worker;
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { driver, path: this.db.name },
      });
      worker.unref();
      worker.on('message', (result: CheckpointResult | null) => {
        this.inFlight = false;
        this.runs++;
        this.walFrames = result?.log ?? 0;
        if (this.held?.started) {
          // Nothing was written while it ran: the next group starts the WAL over.
          this.walFrames = 0;
          this.releaseWrites();
        } else if (this.held) {
          // It started before writes were held: one more copies what they appended meanwhile.
          this.pending = Math.max(this.pending, 1);
        }
        // Commits made while it ran (or writes held): now, or on the timer.
        if (this.held || this.due()) this.run();
        else if (this.pending > 0 && !this.stopped)
          this.timer ??= setTimeout(() => this.onTimer(), this.everyMs).unref();
      });
      worker.on('error', () => this.lostWorker());
      worker.on('exit', () => {
        if (this.worker === worker) this.lostWorker();
      });
      this.worker = worker;
    } catch {
      this.workerFailed = true;
    }
    return this.worker;
  }

  /** The worker is gone: checkpoints run on the writer from now on. */
  private lostWorker(): void {
    this.worker = null;
    this.workerFailed = true;
    this.releaseWrites();
    if (this.inFlight) {
      this.inFlight = false;
      this.pending = Math.max(this.pending, 1);
      if (!this.stopped) this.timer ??= setTimeout(() => this.onTimer(), 10).unref();
    }
  }

  private releaseWrites(): void {
    const held = this.held;
    this.held = null;
    held?.release();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private onTimer(): void {
    this.timer = null;
    if (this.pending > 0 && !this.stopped) this.run();
  }
}
