/**
 * The media types Methodical reads and writes, named once: the bare types
 * (compared with a request's Content-Type, offered in negotiation), the
 * Content-Type values it sends, and the lists it advertises in Accept-Post
 * and Accept-Patch.
 */
export const MEDIA = {
  json: 'application/json',
  mergePatch: 'application/merge-patch+json',
  jsonPatch: 'application/json-patch+json',
  form: 'application/x-www-form-urlencoded',
  multipart: 'multipart/form-data',
  problem: 'application/problem+json',
  html: 'text/html',
  text: 'text/plain',
  octetStream: 'application/octet-stream',
  javascript: 'text/javascript',
  css: 'text/css',
  eventStream: 'text/event-stream',
} as const;

/** The Content-Type of a JSON response. */
export const JSON_TYPE = `${MEDIA.json}; charset=utf-8`;
/** The Content-Type of an HTML response. */
export const HTML_TYPE = `${MEDIA.html}; charset=utf-8`;
/** The Content-Type of a problem (RFC 9457). */
export const PROBLEM_TYPE = MEDIA.problem;

/** The request bodies parsed as JSON. */
export const JSON_BODY_TYPES: readonly string[] = [MEDIA.json, MEDIA.mergePatch, MEDIA.jsonPatch];
/** What PATCH takes (Accept-Patch), most specific first. */
export const PATCH_TYPES = [MEDIA.mergePatch, MEDIA.jsonPatch, MEDIA.json].join(', ');
/** What create, replace and auth forms take (Accept-Post). */
export const WRITE_TYPES = [MEDIA.json, MEDIA.form, MEDIA.multipart].join(', ');
