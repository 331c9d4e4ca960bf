/** The one JSON form of a record, and its ETag, shared by responses and preconditions. */
import type { RecordData } from '../schema/types.js';
import { etagOf } from '../util/etag.js';
import { utf8Bytes } from '../util/json-size.js';
import { overLimit } from '../util/problem.js';

/** JSON text of a record as every full-record response sends it. */
export function recordJson(record: RecordData | Record<string, unknown>): string {
  return JSON.stringify(record);
}

/** The strong ETag of a record's full representation. */
export function recordEtag(record: RecordData): string {
  return etagOf(recordJson(record));
}

/** A record's JSON text and ETag, as written once it is stored. */
export interface SerializedRecord {
  json: string;
  etag: string;
}

/**
 * A record about to be stored, serialised once for its ETag and its
 * response, or a 422 when its JSON is larger than a request body may be:
 * a record must always fit back into a PUT.
 */
export function serializeForWrite(record: RecordData, maxBytes: number): SerializedRecord {
  const json = recordJson(record);
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: most records are decided without counting.
  const bytes = json.length * 3 > maxBytes ? utf8Bytes(json) : json.length;
  if (bytes > maxBytes) {
    throw overLimit(
      'limitExceeded',
      `The record would be ${bytes} bytes as JSON, more than the ` +
        `${maxBytes} bytes a record may hold (limits.json), so it could not be sent back in a PUT; ` +
        'nothing was changed.',
      'limits.json',
    );
  }
  return { json, etag: etagOf(json) };
}
