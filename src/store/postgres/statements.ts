/**
 * Prepared statements for the hot paths: a statement text marked with
 * `prepared` runs as a named statement, so each connection parses and plans
 * it once and then only binds it. Only texts of a fixed shape per table are
 * marked (by-id reads, writes, the change counter, idempotency keys,
 * sessions); filtered lists, whose texts come from requests, stay unnamed.
 * The names are bounded: past MAX_NAMED texts, a text runs unnamed.
 */
import type pg from 'pg';

const MAX_NAMED = 1000;
const names = new Map<string, string>();

/** Marks `text` to run prepared (when the bound allows); returns it. */
export function prepared(text: string): string {
  if (names.size < MAX_NAMED && !names.has(text)) names.set(text, `m${names.size}`);
  return text;
}

/** What to hand pg for `text`: named when it was marked (a fresh object: pg writes into it). */
export function queryConfig(text: string, values?: unknown[]): pg.QueryConfig {
  const name = names.get(text);
  return name === undefined ? { text, values } : { name, text, values };
}
