/**
 * One reader of the change log per process: it reads each committed change
 * once, in the log's order, and hands it to every listener (one per open
 * stream). Woken by the store after a commit (and on PostgreSQL by the
 * other nodes' notifications); it also polls, so a lost wake-up costs
 * latency, never an event. It runs only while someone listens.
 */
import { type Change, type ChangeCursor, type ChangeFeed, LOG_START } from '../../store/change-log.js';

export interface HubOptions {
  /** How often to look without being woken (ms); default 1000. */
  pollMs?: number;
  /** How soon to look again when changes wait behind an open transaction (ms); default 20. */
  retryMs?: number;
  /** Changes per read; default 500. */
  batch?: number;
  /** Told of a read that failed (the hub tries again at the next poll). */
  onError?: (error: unknown) => void;
}

export type ChangeListener = (changes: readonly Change[]) => void;

export class ChangeHub {
  private readonly listeners = new Set<ChangeListener>();
  private position: ChangeCursor = LOG_START;
  private starting: Promise<void> | null = null;
  private unwatch: (() => void) | null = null;
  private poll: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private pumping = false;
  private again = false;
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly batch: number;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly options: HubOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.retryMs = options.retryMs ?? 20;
    this.batch = options.batch ?? 500;
  }

  /** Every change up to here has been handed to the listeners of the time. */
  get cursor(): ChangeCursor {
    return this.position;
  }

  /**
   * Listen from now on: the listener gets every change after the returned
   * cursor, and nothing at or before it.
   */
  async subscribe(listener: ChangeListener): Promise<{ cursor: ChangeCursor; stop: () => void }> {
    // The last listener may leave (halting the hub) while this one waits for the start: start again then.
    for (;;) {
      const starting = this.start();
      await starting;
      if (this.starting === starting) break;
    }
    this.listeners.add(listener);
    return {
      cursor: this.position,
      stop: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.halt();
      },
    };
  }

  /** Look now (after a commit this process made, say). */
  wake(): void {
    void this.pump();
  }

  /** Stop reading and drop every listener. */
  close(): void {
    this.listeners.clear();
    this.halt();
  }

  private start(): Promise<void> {
    if (this.starting === null) {
      const starting = (async () => {
        this.position = await this.feed.head();
        this.unwatch = this.feed.watch(() => this.wake());
        this.poll = setInterval(() => this.wake(), this.pollMs);
        this.poll.unref();
      })();
      this.starting = starting;
      starting.catch(() => {
        if (this.starting === starting) this.starting = null;
      });
    }
    return this.starting;
  }

  private halt(): void {
    this.unwatch?.();
    this.unwatch = null;
    if (this.poll) clearInterval(this.poll);
    if (this.retry) clearTimeout(this.retry);
    this.poll = null;
    this.retry = null;
    this.starting = null;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    if (this.starting === null || this.listeners.size === 0) return;
    this.pumping = true;
    try {
      do {
        this.again = false;
        const from = this.position;
        const batch = await this.feed.read(from, this.batch);
        // Halted and restarted meanwhile: that start set its own position.
        if (this.starting === null || this.position !== from) return;
        const last = batch.changes.at(-1);
        if (last) {
          // The position moves with the hand-out, in one turn: a subscriber gets exactly what lies after its cursor.
          this.position = { tx: last.tx, seq: last.seq };
          for (const listener of this.listeners) listener(batch.changes);
        }
        if (batch.more) this.again = true;
        else if (batch.waiting && this.retry === null) {
          this.retry = setTimeout(() => {
            this.retry = null;
            this.wake();
          }, this.retryMs);
          this.retry.unref();
        }
      } while (this.again && this.listeners.size > 0);
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.pumping = false;
      // A wake-up that came while a stale read was ending is not lost.
      if (this.again) {
        this.again = false;
        queueMicrotask(() => this.wake());
      }
    }
  }
}
