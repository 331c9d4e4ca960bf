/**
 * Per-collection change counters, so a node can tell whether a list total it
 * keeps (count-cache.ts) still holds: every write transaction adds 1 to its
 * collection's counter in the same transaction, and a node trusts a kept
 * total only when the counter moved by exactly the number of its own
 * committed transactions since it counted (whose changes it applied).
 *
 * The counter is split into one row per collection and backend process
 * (pg_backend_pid()): a connection runs one transaction at a time, so
 * writers never queue on each other's row; the counter is the rows' sum.
 * Rows of backends that are gone are folded into row 0 now and then, in
 * one statement, which leaves the sum as it was.
 */
import type { SqlText } from '../list-sql.js';
import { prepared } from './statements.js';

export const COUNT_VERSIONS_DDL = `CREATE TABLE IF NOT EXISTS _count_versions (
    collection TEXT COLLATE "C" NOT NULL, backend INTEGER NOT NULL, n BIGINT NOT NULL,
    PRIMARY KEY (collection, backend))`;

const bump = (
  param: string,
) => `INSERT INTO _count_versions (collection, backend, n) VALUES (${param}, pg_backend_pid(), 1)
  ON CONFLICT (collection, backend) DO UPDATE SET n = _count_versions.n + 1`;

export const BUMP_SQL = prepared(bump('$1'));

/**
 * A write statement with the bump of its collection's counter folded in (a
 * data-modifying WITH runs whatever the statement it heads does): one round
 * trip for both. The statement's own rowCount is the result's.
 */
export function withBump(write: SqlText, collection: string): SqlText {
  const params = [...write.params, collection];
  return { sql: prepared(`WITH _bump AS (${bump(`$${params.length}`)}) ${write.sql}`), params };
}

const SUM = 'SELECT COALESCE(SUM(n), 0) FROM _count_versions WHERE collection = ';

/** The counter of collection $1. */
export const VERSION_SQL = prepared(`SELECT (${SUM}$1) AS v`);

/** The count query and the counter in one statement: one snapshot, so the counter says what the count holds. */
export function countWithVersion(count: SqlText, collection: string): SqlText {
  const params = [...count.params, collection];
  return { sql: `SELECT (${SUM}$${params.length}) AS v, (${count.sql}) AS n`, params };
}

/** Folds the rows of backends no longer running into row 0, keeping every collection's sum. */
export const COMPACT_SQL = `WITH gone AS (
    DELETE FROM _count_versions
    WHERE backend <> 0 AND backend NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)
    RETURNING collection, n)
  INSERT INTO _count_versions (collection, backend, n)
  SELECT collection, 0, SUM(n) FROM gone GROUP BY collection
  ON CONFLICT (collection, backend) DO UPDATE SET n = _count_versions.n + excluded.n`;
