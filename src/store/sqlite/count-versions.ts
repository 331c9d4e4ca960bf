/**
 * When kept list totals (count-cache.ts) and kept records (record-cache.ts)
 * stop holding on SQLite: this process corrects them for its own commits,
 * so only another process's commit to the same file (the CLI while the
 * server runs, a second server) voids them. PRAGMA data_version on the
 * writer connection moves exactly then: SQLite leaves it unchanged for the
 * connection's own commits.
 */
import type Database from 'better-sqlite3';

export class ForeignCommits {
  private readonly statement: Database.Statement<[], number>;
  private last: number;
  /** How many times data_version has been seen to move. */
  private moves = 0;

  constructor(writer: Database.Database) {
    // Plucked: the value alone, no row object (this runs on every cached read).
    this.statement = writer.prepare<[], number>('PRAGMA data_version').pluck();
    this.last = this.read();
  }

  /** A check of one cache's own: true when another connection committed since its last call. */
  watcher(): () => boolean {
    let seen = this.moves;
    return () => {
      const now = this.read();
      if (now !== this.last) {
        this.last = now;
        this.moves++;
      }
      if (seen === this.moves) return false;
      seen = this.moves;
      return true;
    };
  }

  private read(): number {
    return this.statement.get() ?? -1;
  }
}
