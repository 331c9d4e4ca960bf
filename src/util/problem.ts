/**
 * RFC 9457 problem details: one catalogue of problem codes with stable
 * statuses and titles, and one error class that carries them. Rendering
 * happens in one place (http/plugins/problem.ts).
 */

/**
 * The catalogue of field-issue codes: the `code` of each entry in a
 * problem's `errors[]`, stable on the wire, snake_case. Each says what the
 * value broke; the `message` beside it says how.
 */
export const FIELD_ISSUES = {
  required: 'A required value is missing.',
  type: 'The value has the wrong JSON type (or shape).',
  min: 'The value, its length or its count is below the minimum.',
  max: 'The value, its length or its count is above the maximum.',
  pattern: "The text does not match the field's pattern.",
  values: "The value is not one of a select field's values.",
  format: "The value is not in the field's format (a date, an email, a URL, a record id…).",
  unique: 'Another record already has this value in a unique field.',
  relation: 'The related record does not exist.',
  incorrect: 'The value is not the one on record (a current password).',
  unknown_field: 'The name is not a field of the collection (or not a file field).',
  file_type: "The uploaded file's media type is not one the field accepts.",
  file_size: 'The uploaded file is larger than the field allows.',
  file_unknown: 'No uploaded file has this stored name.',
} as const satisfies Record<string, string>;

export type FieldIssueCode = keyof typeof FIELD_ISSUES;

/** One field problem inside a 422 (or a 400 for query parameters). */
export interface FieldIssue {
  field: string;
  code: FieldIssueCode;
  message: string;
}

export interface ProblemSpec {
  status: number;
  /** `about:blank` problems take the status phrase as their title. */
  type: string;
  title: string;
}

const BASE = 'https://methodical.dev/problems/';

function typed(status: number, slug: string, title: string): ProblemSpec {
  return { status, type: BASE + slug, title };
}

/**
 * The catalogue. Codes are stable; a typed problem's slug is its code in
 * kebab-case (`invalidFilter` → `invalid-filter`), so a code names one
 * identifier everywhere. problem.test.ts checks that every code and slug is
 * unique, that slugs follow the codes and that every status is valid.
 */
export const PROBLEMS = {
  badRequest: { status: 400, type: 'about:blank', title: 'Bad Request' },
  malformedJson: typed(400, 'malformed-json', 'Malformed JSON body'),
  invalidFilter: typed(400, 'invalid-filter', 'Invalid filter expression'),
  invalidQuery: typed(400, 'invalid-query', 'Invalid query parameter'),
  invalidId: typed(400, 'invalid-id', 'Invalid record id'),
  invalidIdempotencyKey: typed(400, 'invalid-idempotency-key', 'Invalid Idempotency-Key header'),
  idempotencyKeyRequired: typed(400, 'idempotency-key-required', 'Idempotency-Key required'),
  invalidBatch: typed(400, 'invalid-batch', 'Invalid batch request'),
  unauthorized: { status: 401, type: 'about:blank', title: 'Unauthorized' },
  forbidden: { status: 403, type: 'about:blank', title: 'Forbidden' },
  crossOriginRequest: typed(403, 'cross-origin-request', 'Cross-origin request refused'),
  notFound: { status: 404, type: 'about:blank', title: 'Not Found' },
  methodNotAllowed: { status: 405, type: 'about:blank', title: 'Method Not Allowed' },
  notAcceptable: { status: 406, type: 'about:blank', title: 'Not Acceptable' },
  conflict: { status: 409, type: 'about:blank', title: 'Conflict' },
  idMismatch: typed(409, 'id-mismatch', 'Body id differs from the URL'),
  uniqueViolation: typed(409, 'unique-violation', 'Unique constraint violated'),
  /** A create in a `single: true` collection that holds its one record already. */
  singleRecord: typed(409, 'single-record', 'The collection holds one record at most'),
  idempotencyKeyInUse: typed(
    409,
    'idempotency-key-in-use',
    'Request with this Idempotency-Key is in progress',
  ),
  patchTestFailed: typed(409, 'patch-test-failed', 'JSON Patch test failed'),
  patchConflict: typed(409, 'patch-conflict', 'JSON Patch cannot be applied'),
  /** A DELETE refused by a relation's `onDelete: "restrict"`: `referencedBy` lists who points to the record. */
  stillReferenced: typed(409, 'still-referenced', 'Other records still point to this record'),
  requestTimeout: { status: 408, type: 'about:blank', title: 'Request Timeout' },
  /** For handlers of the config's own (`ctx.problem(410, …)`): a page that was there and is no more. */
  gone: { status: 410, type: 'about:blank', title: 'Gone' },
  preconditionFailed: { status: 412, type: 'about:blank', title: 'Precondition Failed' },
  payloadTooLarge: { status: 413, type: 'about:blank', title: 'Content Too Large' },
  uriTooLong: { status: 414, type: 'about:blank', title: 'URI Too Long' },
  unsupportedMediaType: { status: 415, type: 'about:blank', title: 'Unsupported Media Type' },
  rangeNotSatisfiable: { status: 416, type: 'about:blank', title: 'Range Not Satisfiable' },
  expectationFailed: { status: 417, type: 'about:blank', title: 'Expectation Failed' },
  validation: typed(422, 'validation', 'The record is invalid'),
  /** A request within every size limit whose result would not be (a patched record too large or too deep). */
  limitExceeded: typed(422, 'limit-exceeded', 'The request exceeds a limit'),
  idempotencyKeyReused: typed(
    422,
    'idempotency-key-reused',
    'Idempotency-Key reused with a different request',
  ),
  preconditionRequired: { status: 428, type: 'about:blank', title: 'Precondition Required' },
  tooManyRequests: { status: 429, type: 'about:blank', title: 'Too Many Requests' },
  headersTooLarge: { status: 431, type: 'about:blank', title: 'Request Header Fields Too Large' },
  internal: { status: 500, type: 'about:blank', title: 'Internal Server Error' },
  notImplemented: { status: 501, type: 'about:blank', title: 'Not Implemented' },
  /** For handlers of the config's own that call another service (`ctx.problem(502, …)`). */
  badGateway: { status: 502, type: 'about:blank', title: 'Bad Gateway' },
  unavailable: { status: 503, type: 'about:blank', title: 'Service Unavailable' },
  gatewayTimeout: { status: 504, type: 'about:blank', title: 'Gateway Timeout' },
  insufficientStorage: { status: 507, type: 'about:blank', title: 'Insufficient Storage' },
} as const satisfies Record<string, ProblemSpec>;

export type ProblemCode = keyof typeof PROBLEMS;

export interface ProblemOptions {
  errors?: FieldIssue[];
  /** Extension members (RFC 9457 §3.2), e.g. `position` for filter errors. */
  extra?: Record<string, unknown>;
  /** Response headers the problem needs (Allow, Retry-After, WWW-Authenticate…). */
  headers?: Record<string, string>;
}

/** An expected failure with a status: thrown anywhere, rendered once. */
export class Problem extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly errors?: FieldIssue[];
  readonly extra?: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: ProblemCode, detail: string, options: ProblemOptions = {}) {
    super(detail);
    const spec: ProblemSpec = PROBLEMS[code];
    this.name = 'Problem';
    this.code = code;
    this.status = spec.status;
    this.type = spec.type;
    this.title = spec.title;
    this.detail = detail;
    this.errors = options.errors;
    this.extra = options.extra;
    this.headers = options.headers ?? {};
  }

  /** The RFC 9457 body. `instance` is the request path when known. */
  toJSON(instance?: string): Record<string, unknown> {
    const body: Record<string, unknown> = {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
    };
    if (instance !== undefined) body.instance = instance;
    if (this.errors !== undefined) body.errors = this.errors;
    if (this.extra !== undefined) Object.assign(body, this.extra);
    return body;
  }
}

export function isProblem(value: unknown): value is Problem {
  return value instanceof Problem;
}

/** A 422 with every field issue at once. */
export function validationProblem(errors: FieldIssue[], detail?: string): Problem {
  const fields = [...new Set(errors.map((e) => e.field))].join(', ');
  return new Problem('validation', detail ?? `Invalid value for ${fields}.`, { errors });
}

/**
 * A request over one of the server's bounds: the detail says which and how
 * far, and the `limit` member names it (its config key, like
 * `limits.batch`, where the bound is configurable).
 */
export function overLimit(
  code: ProblemCode,
  detail: string,
  limit: string,
  options: ProblemOptions = {},
): Problem {
  return new Problem(code, detail, { ...options, extra: { ...options.extra, limit } });
}

/** The challenge every 401 carries (RFC 9110 §11.6.1). */
export const WWW_AUTHENTICATE = 'Bearer realm="methodical"';

/** A problem for a bare status (hooks reject, handlers fail, with a status and a detail); a status the catalogue lacks becomes 400 or 500. */
export function problemForStatus(status: number, detail: string): Problem {
  const entries = Object.entries(PROBLEMS) as [ProblemCode, ProblemSpec][];
  const entry =
    entries.find(([, spec]) => spec.status === status && spec.type === 'about:blank') ??
    entries.find(([, spec]) => spec.status === status);
  // A 401 from a hook or a handler is a 401 like any other: it names the scheme.
  if (entry && status === 401) {
    return new Problem(entry[0], detail, { headers: { 'WWW-Authenticate': WWW_AUTHENTICATE } });
  }
  if (entry) return new Problem(entry[0], detail);
  return new Problem(status >= 500 ? 'internal' : 'badRequest', detail);
}
