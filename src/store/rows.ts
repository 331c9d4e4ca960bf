/** Rows as both adapters read them: the read budget every page is counted against, and session rows. */
import { ReadTooLarge } from './errors.js';
import type { IdempotencyEntry, SessionEntry } from './store.js';

/** A row as a driver returns it, column name to value. */
export type Row = Record<string, unknown>;

/** Bytes of values a read may still load (`limits.response`), and the whole of it, for the error. */
export interface ReadBudget {
  left: number;
  max: number;
}

/** The budget of a read limited to `maxBytes` (none when undefined). */
export function readBudget(maxBytes: number | undefined): ReadBudget | undefined {
  return maxBytes === undefined ? undefined : { left: maxBytes, max: maxBytes };
}

/** A value's bytes as loaded: its text length, or a word for a number. */
function rowBytes(row: Row): number {
  let bytes = 0;
  for (const key in row) {
    const value = row[key];
    bytes += typeof value === 'string' ? value.length : value instanceof Buffer ? value.length : 8;
  }
  return bytes;
}

/** Counts one loaded row against the budget; throws ReadTooLarge once the budget is spent. */
export function chargeRow(budget: ReadBudget, row: Row): void {
  budget.left -= rowBytes(row);
  if (budget.left < 0) throw new ReadTooLarge(budget.max);
}

/** A session row as a SessionEntry. */
export function sessionFrom(row: Row | undefined, tokenHash: string): SessionEntry | undefined {
  if (!row) return undefined;
  return {
    tokenHash,
    userId: row.user_id as string,
    created: row.created as string,
    expires: row.expires as string,
  };
}

/** An entry's values in the order of the adapters' insert: the row's columns, then `notBefore`. */
export function idempotencyValues(e: IdempotencyEntry, notBefore: string): unknown[] {
  return [e.scope, e.key, e.fingerprint, e.status, JSON.stringify(e.headers), e.body, e.created, notBefore];
}

/** An idempotency row as an IdempotencyEntry (its headers are stored as JSON text). */
export function idempotencyFrom(
  row: Row | undefined,
  scope: string,
  key: string,
): IdempotencyEntry | undefined {
  if (!row) return undefined;
  return {
    scope,
    key,
    fingerprint: row.fingerprint as string,
    status: row.status as number,
    headers: JSON.parse(row.headers as string),
    body: row.body as string,
    created: row.created as string,
  };
}
