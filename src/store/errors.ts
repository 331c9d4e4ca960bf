/** Typed store failures; service/ turns them into problems. */

export class UniqueViolation extends Error {
  constructor(
    readonly collection: string,
    readonly field: string,
  ) {
    super(`unique constraint on ${collection}.${field}`);
    this.name = 'UniqueViolation';
  }
}

export class DuplicateId extends Error {
  constructor(
    readonly collection: string,
    readonly id: string,
  ) {
    super(`${collection}/${id} already exists`);
    this.name = 'DuplicateId';
  }
}

/** The transaction's lock is held by another transaction right now. */
export class LockBusy extends Error {
  constructor(readonly lock: string) {
    super(`lock ${lock} is held`);
    this.name = 'LockBusy';
  }
}

/** A read would load more bytes of rows than it was allowed (`maxBytes`). */
export class ReadTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the rows read hold more than ${maxBytes} bytes`);
    this.name = 'ReadTooLarge';
  }
}

export class DestructiveMigration extends Error {
  constructor(readonly steps: readonly string[]) {
    super(`refusing destructive changes without --allow-destructive: ${steps.join('; ')}`);
    this.name = 'DestructiveMigration';
  }
}

/** A second record for a `single: true` collection; `existing` is the id of the one it holds. */
export class SingleViolation extends Error {
  constructor(
    readonly collection: string,
    readonly existing: string,
  ) {
    super(`${collection} holds one record at most and has "${existing}"`);
    this.name = 'SingleViolation';
  }
}
