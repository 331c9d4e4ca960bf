/**
 * The leases a node keeps on the staged blobs it is writing or holds for a
 * commit: renewed on a timer (by the database's clock) while any is held, so
 * a sweep on another node passes them by; let go of on close, so that what a
 * stopped node left is swept at once rather than when its leases lapse.
 */
import type pg from 'pg';

export class Leases {
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    /** The staged table, qualified. */
    private readonly table: string,
    readonly leaseMs: number,
  ) {}

  /** The tokens held now. */
  tokens(): string[] {
    return [...this.held];
  }

  hold(token: string): void {
    this.held.add(token);
    if (this.timer) return;
    // Renewed well before a lease lapses; unref'd, so it never keeps a process alive.
    this.timer = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  release(token: string): void {
    this.held.delete(token);
    if (this.held.size === 0) this.stop();
  }

  /** Stop renewing (as a crash would). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Let go of every lease this node holds; quiet when the database is away (they lapse instead). */
  async releaseAll(): Promise<void> {
    const held = this.tokens();
    this.held.clear();
    this.stop();
    if (held.length === 0) return;
    await this.pool
      .query(`UPDATE ${this.table} SET lease = NULL WHERE token = ANY ($1::text[])`, [held])
      .catch(() => {});
  }

  private async renew(): Promise<void> {
    const held = this.tokens();
    if (held.length === 0) return;
    let renewed: Set<string>;
    try {
      const result = await this.pool.query<{ token: string }>(
        `UPDATE ${this.table} SET lease = now() + $2 * interval '1 millisecond'
         WHERE token = ANY ($1::text[]) RETURNING token`,
        [held, this.leaseMs],
      );
      renewed = new Set(result.rows.map((r) => r.token));
    } catch {
      return; // The database is away: the next round tries again.
    }
    // A row exists from before a staged blob's first byte: one gone was committed or swept elsewhere.
    for (const token of held) if (!renewed.has(token)) this.release(token);
  }
}
