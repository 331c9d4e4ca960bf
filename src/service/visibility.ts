/**
 * What of a record a caller may see. Fields marked `hidden` are seen only
 * by administrators (and server code); a user's email only by that user and
 * administrators. Every response that carries a record goes through
 * `visibleRecord`, and its ETag is the one of what it carries, so two
 * callers who see different bodies never share a validator. A field hidden
 * from a caller in any record is one they cannot filter, sort, group or
 * expand by: its values cannot be probed.
 */
import { type CollectionDef, type RecordData, SELF_ONLY_USER_FIELDS } from '../schema/types.js';
import { etagOf } from '../util/etag.js';
import type { RequestContext } from './context.js';
import { recordJson } from './serialize.js';

const NOTHING: ReadonlySet<string> = new Set();
const marked = new WeakMap<CollectionDef, readonly string[]>();

function seesEverything(ctx: RequestContext): boolean {
  return ctx.system === true || ctx.auth?.admin === true;
}

/** The fields of a collection marked `hidden` (computed once per collection). */
function hiddenFields(def: CollectionDef): readonly string[] {
  let fields = marked.get(def);
  if (!fields) {
    fields = Object.entries(def.fields)
      .filter(([, f]) => f.hidden === true)
      .map(([name]) => name);
    marked.set(def, fields);
  }
  return fields;
}

/** Fields the caller may not see in some or all records: never to be filtered, sorted, grouped or expanded by. */
export function unqueryableFields(def: CollectionDef, ctx: RequestContext): ReadonlySet<string> {
  if (seesEverything(ctx)) return NOTHING;
  const fields = def.auth ? [...hiddenFields(def), ...SELF_ONLY_USER_FIELDS] : hiddenFields(def);
  return fields.length === 0 ? NOTHING : new Set(fields);
}

/** Fields the caller may see in no record at all (for `fields=`: a user may pick their own email). */
export function unseenFields(def: CollectionDef, ctx: RequestContext): ReadonlySet<string> {
  if (seesEverything(ctx)) return NOTHING;
  const fields = hiddenFields(def);
  return fields.length === 0 ? NOTHING : new Set(fields);
}

/** The fields of this record hidden from the caller. */
export function hiddenIn(def: CollectionDef, ctx: RequestContext, record: { id?: unknown }): string[] {
  if (seesEverything(ctx)) return [];
  const hidden = [...hiddenFields(def)];
  if (def.auth && (ctx.auth === null || record.id !== ctx.auth.id)) hidden.push(...SELF_ONLY_USER_FIELDS);
  return hidden;
}

/** The record as the caller may see it: the same object when nothing is hidden from them. */
export function visibleRecord<T extends Record<string, unknown>>(
  def: CollectionDef,
  ctx: RequestContext,
  record: T,
): T {
  const hidden = hiddenIn(def, ctx, record);
  if (!hidden.some((f) => Object.hasOwn(record, f))) return record;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!hidden.includes(key)) out[key] = value;
  return out as T;
}

/**
 * Which view of a collection's records the caller gets, named for the
 * record cache: callers with the same name see the same JSON of a record.
 * Null when it depends on who the caller is (in a users collection, a
 * user's own email is seen by that user only).
 */
export function viewVariant(def: CollectionDef, ctx: RequestContext): string | null {
  if (def.auth) return null;
  if (hiddenFields(def).length === 0) return '';
  return seesEverything(ctx) ? 'all' : 'visible';
}

/** The JSON text and strong ETag of the caller's view of a record: what If-Match is compared with. */
export function visibleJson(
  def: CollectionDef,
  ctx: RequestContext,
  record: RecordData,
): { json: string; etag: string } {
  const json = recordJson(visibleRecord(def, ctx, record));
  return { json, etag: etagOf(json) };
}
