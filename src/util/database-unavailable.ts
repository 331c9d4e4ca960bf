/**
 * The database could not take a request just now: it does not answer, it
 * has no free connection, or a conflicting concurrent write (a deadlock)
 * made it undo the transaction. A retry may well succeed.
 */
export class DatabaseUnavailable extends Error {
  constructor(
    readonly reason: 'unreachable' | 'busy' | 'conflict',
    options?: { cause?: unknown },
  ) {
    super(`the database is ${reason === 'unreachable' ? 'not answering' : reason}`, options);
    this.name = 'DatabaseUnavailable';
  }
}
