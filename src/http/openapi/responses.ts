/** Success responses shared by the collection routes: records, pages, created, minimal, redirects. */
import { headerRefs, required } from './components.js';
import { type Json, ref } from './names.js';

/** Headers every record representation carries. */
// Set-Cookie: a request whose session cookie is no longer valid gets it cleared, whatever it asked.
const VALIDATORS = ['ETag', 'Last-Modified', 'Cache-Control', 'Vary', 'Set-Cookie'];

/** A JSON body of `schema` (a component name) with `headers`; no body for HEAD. */
export function jsonResponse(description: string, schema: string, headers: string[], head = false): Json {
  const out: Json = { description, headers: headerRefs(...headers) };
  if (!head) out.content = { 'application/json': { schema: ref('schemas', schema) } };
  return out;
}

/** 200 with a record and its validators (extra headers appended). */
export function recordOk(record: string, description: string, extra: string[] = [], head = false): Json {
  const out = jsonResponse(description, record, [...VALIDATORS, ...extra], head);
  out.headers = required(out.headers as Json, 'ETag');
  return out;
}

/** 201 for a created record. */
export function recordCreated(record: string): Json {
  const out = jsonResponse(
    'Created. Location (and Content-Location) name the new record; no body with Prefer: return=minimal.',
    record,
    [
      'Location',
      'Content-Location',
      'ETag',
      'Last-Modified',
      'Cache-Control',
      'Idempotent-Replayed',
      'Preference-Applied',
      'Vary',
    ],
  );
  out.headers = required(out.headers as Json, 'Location', 'ETag');
  return out;
}

/** 204 after a change under Prefer: return=minimal. */
export function minimal(): Json {
  return {
    description: 'Changed, with no body: Prefer asked for return=minimal.',
    headers: headerRefs(
      'ETag',
      'Last-Modified',
      'Cache-Control',
      'Vary',
      'Preference-Applied',
      'Idempotent-Replayed',
    ),
  };
}

/** 303 for an HTML form (Accept: text/html): Post/Redirect/Get. */
export function seeOther(): Json {
  return {
    description: 'An HTML form succeeded: go to `_redirect` or to the record (Post/Redirect/Get).',
    headers: required(
      headerRefs('Location', 'ETag', 'Cache-Control', 'Vary', 'Idempotent-Replayed'),
      'Location',
    ),
  };
}

/** 304 from conditional reads. */
export const notModified = (): Json => ref('responses', 'NotModified');
