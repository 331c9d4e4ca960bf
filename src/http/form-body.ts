/**
 * What browsers send: urlencoded and multipart forms, read into the same
 * JSON-like body a JSON client would send, with the reserved `_name`
 * fields (`_redirect`, `_idempotency_key`, `_method`, `_etag`) pulled out.
 */
import type { FastifyRequest } from 'fastify';
import type { FileStorage } from '../files/storage.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { StagedUpload } from '../service/uploads.js';
import { WRITE_TYPES } from '../util/media-types.js';
import { Problem, validationProblem } from '../util/problem.js';
import {
  type FormLimits,
  type MultipartOptions,
  type ReadForm,
  readMultipartForm,
} from './multipart-form.js';
import { isForm } from './plugins/body.js';

export interface WriteBody {
  body: Record<string, unknown>;
  /** Files staged from multipart parts; the route discards whatever was not committed. */
  uploads: StagedUpload[];
  /** True for urlencoded and multipart bodies. */
  form: boolean;
  /** The form's `_redirect` field, if any (checked before use). */
  redirect?: string;
  /** The form's `_idempotency_key` field, if any. */
  idempotencyKey?: string;
}

/** The first value of a reserved `_name` field; an empty one counts as absent. */
export function reservedField(fields: Record<string, string[]>, name: string): string | undefined {
  const value = fields[name]?.[0];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * A form as a write body: coerced per field type, with its reserved fields
 * pulled out. `patch` keeps only the fields the form carries (a merge patch).
 */
export function formWriteBody(compiled: CompiledCollection, form: ReadForm, patch = false): WriteBody {
  const body = compiled.fromForm(form.fields, { partial: patch });
  if (form.fileIssues.length > 0) {
    // Report file problems together with every other field problem, as a JSON body would.
    let issues = form.fileIssues;
    try {
      if (!patch) compiled.fromBody(body);
    } catch (error) {
      if (error instanceof Problem && error.errors) issues = [...error.errors, ...form.fileIssues];
    }
    throw validationProblem(issues);
  }
  return {
    body,
    uploads: form.uploads,
    form: true,
    redirect: reservedField(form.fields, '_redirect'),
    idempotencyKey: reservedField(form.fields, '_idempotency_key'),
  };
}

/** Read a urlencoded or multipart body as it was sent; undefined when the request carries neither. */
export async function readForm(
  req: FastifyRequest,
  compiled: CompiledCollection,
  storage: FileStorage,
  limits: FormLimits,
  options?: MultipartOptions,
): Promise<ReadForm | undefined> {
  if (isForm(req.body)) {
    if (req.body.jsonLike) {
      // Say what happened rather than report a field named `{"title"…`.
      throw new Problem(
        'unsupportedMediaType',
        'This body is JSON but was sent as application/x-www-form-urlencoded; send it with Content-Type: application/json.',
        { headers: { 'Accept-Post': WRITE_TYPES } },
      );
    }
    return { fields: req.body.fields, uploads: [], fileIssues: [] };
  }
  if (!req.isMultipart()) return undefined;
  return readMultipartForm(req, compiled, storage, limits, options);
}

/** Read a urlencoded or multipart body as a create or replace body; undefined when the request carries neither. */
export async function readFormBody(
  req: FastifyRequest,
  compiled: CompiledCollection,
  storage: FileStorage,
  limits: FormLimits,
): Promise<WriteBody | undefined> {
  const form = await readForm(req, compiled, storage, limits);
  if (!form) return undefined;
  try {
    return formWriteBody(compiled, form);
  } catch (error) {
    await Promise.all(form.uploads.map((u) => storage.discard(u.token)));
    throw error;
  }
}

/** Where a form may send the browser afterwards: a same-origin path (with a query), or nowhere. */
export function safeRedirect(value: string | undefined): string | undefined {
  if (
    value === undefined ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.includes('\\') ||
    [...value].some((c) => c.charCodeAt(0) < 0x20)
  ) {
    return undefined;
  }
  try {
    const url = new URL(value, 'http://same.invalid');
    if (url.host !== 'same.invalid') return undefined;
    const path = url.pathname + url.search + url.hash;
    // Resolving dot segments turns `/.//evil.com` or `/a/..//evil.com` into `//evil.com`,
    // which a browser reads as another host: checking the input alone is not enough.
    return path.startsWith('//') ? undefined : path;
  } catch {
    return undefined;
  }
}
