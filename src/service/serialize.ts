/** The one JSON form of a record, and its ETag, shared by responses and preconditions. */
import type { RecordData } from '../schema/types.js';
import { etagOf } from '../util/etag.js';

/** JSON text of a record as every full-record response sends it. */
export function recordJson(record: RecordData | Record<string, unknown>): string {
  return JSON.stringify(record);
}

/** The strong ETag of a record's full representation. */
export function recordEtag(record: RecordData): string {
  return etagOf(recordJson(record));
}
