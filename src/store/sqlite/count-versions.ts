/**
 * When kept list totals (count-cache.ts) stop holding on SQLite: this
 * process corrects them for its own commits, so only another process's
 * commit to the same file (the CLI while the server runs, a second server)
 * voids them. PRAGMA data_version on the writer connection moves exactly
 * then: SQLite leaves it unchanged for the connection's own commits.
 */
import type Database from 'better-sqlite3';

export class ForeignCommits {
  private readonly statement: Database.Statement<[], { data_version: number }>;
  private last: number;

  constructor(writer: Database.Database) {
    this.statement = writer.prepare('PRAGMA data_version');
    this.last = this.read();
  }

  /** True when another connection committed since the last call. */
  happened(): boolean {
    const now = this.read();
    if (now === this.last) return false;
    this.last = now;
    return true;
  }

  private read(): number {
    return this.statement.get()?.data_version ?? -1;
  }
}
