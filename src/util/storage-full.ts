/** A write failed because the disk (or a quota) holding the data has no room left. */
export class StorageFull extends Error {
  constructor(
    /** What could not be written: the database, or uploaded files. */
    readonly what: 'database' | 'files',
    options?: { cause?: unknown },
  ) {
    super(`no space left to write the ${what}`, options);
    this.name = 'StorageFull';
  }
}

/** True for the errors a full disk raises: ENOSPC and EDQUOT from the OS, SQLITE_FULL from SQLite. */
export function isNoSpace(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}
