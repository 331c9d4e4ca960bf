/**
 * The admin page's only way to the server: the public HTTP API, as any
 * client uses it (same-origin fetch with the session cookie). Problems
 * (RFC 9457) come back as `ApiError`, with the body's fields kept.
 */

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldProblem[];
  position?: number;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemBody;
  constructor(status: number, problem: ProblemBody) {
    super(problem.detail ?? problem.title ?? `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  /** A JSON body (sent as application/json, or as `contentType` when given). */
  json?: unknown;
  /** A multipart body (file uploads). */
  form?: FormData;
  contentType?: string;
  headers?: Record<string, string>;
}

/** One request to the API; a non-2xx answer throws `ApiError`. */
export async function api<T = unknown>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) body = options.form;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { title: 'No connection', detail: 'The server could not be reached.' });
  }
  const text = response.status === 204 || method === 'HEAD' ? '' : await response.text();
  let parsed: unknown = null;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) {
    const problem: ProblemBody =
      parsed !== null && typeof parsed === 'object'
        ? (parsed as ProblemBody)
        : { title: response.statusText, detail: `The server answered ${response.status}.` };
    throw new ApiError(response.status, problem);
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** A fresh Idempotency-Key for one create, so a retried click makes one record. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

/** A path segment, escaped. */
export const seg = encodeURIComponent;
