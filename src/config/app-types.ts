/**
 * The public types of the code a TS/JS config carries: hooks, custom routes
 * and pages, the error page and the seed. Types only: service/ and http/
 * implement them, and `defineConfig` checks a config against them.
 */
import type { AggregateRow, RecordData } from '../schema/types.js';
import type { Html } from '../util/html-template.js';
import type { FieldIssue } from '../util/problem.js';

export type { AggregateRow, RecordData };

/** Who is calling: the signed-in user, as hooks and handlers see them. */
export interface Caller {
  id: string;
  email: string;
  admin: boolean;
}

/** What a hook (or a handler's `tx`, or the seed) can do with any collection, inside one transaction; no rules apply. */
export interface HookTx {
  get(collection: string, id: string): Promise<RecordData | null>;
  list(
    collection: string,
    options?: { filter?: string; sort?: string; limit?: number },
  ): Promise<RecordData[]>;
  create(collection: string, data: Record<string, unknown>): Promise<RecordData>;
  update(collection: string, id: string, changes: Record<string, unknown>): Promise<RecordData>;
  delete(collection: string, id: string): Promise<boolean>;
}

export interface HookContext {
  collection: string;
  operation: 'create' | 'update' | 'delete';
  /** The record being written: before-hooks may change its fields. Null on delete. */
  record: Record<string, unknown> | null;
  /** The stored record before this write (null on create). */
  previous: RecordData | null;
  auth: Caller | null;
  tx: HookTx;
  /** Refuse the write: the request fails with this status and detail, and nothing is written. */
  reject(status: number, detail: string): never;
}

export type HookName =
  | 'beforeCreate'
  | 'beforeUpdate'
  | 'beforeDelete'
  | 'afterCreate'
  | 'afterUpdate'
  | 'afterDelete';

export type HookFn = (ctx: HookContext) => unknown;
export type CollectionHooks = Partial<Record<HookName, HookFn>>;

/** Options of `ctx.records.list`, the same as the list API's query parameters. */
export interface RecordListOptions {
  /** A filter expression (see Querying); `@auth.id` means the caller. */
  filter?: string;
  /** e.g. `-year,title`. */
  sort?: string;
  page?: number;
  perPage?: number;
  fields?: string[];
  /** Relation fields whose records are inlined under `expand`. */
  expand?: string[];
  skipTotal?: boolean;
}

/** A page of records, shaped like the list API's answer. */
export interface RecordPage {
  items: RecordData[];
  page: number;
  perPage: number;
  totalItems: number | null;
  totalPages: number | null;
}

/** Totals per group, computed by the database (a grouped query), not by loading the records. */
export interface AggregateOptions {
  /** Fields to group by; the rows come sorted by them. */
  groupBy: string[];
  /** Number fields to add up per group; each row carries one member per field, holding its sum. */
  sum?: string[];
  filter?: string;
}

/** Preconditions a handler's write can carry, as a client would send them. */
export interface WritePreconditions {
  /** An entity tag (quoted, as in ETag) the record must still have: 412 otherwise. */
  ifMatch?: string;
}

/**
 * The collections as the caller sees them: every rule applies, exactly as
 * on the API (a record the caller may not view reads as null). In an unsafe
 * handler (POST, PUT, PATCH, DELETE) the writes run in the handler's one
 * transaction, with `ctx.tx`, and fail with the API's problems (422, 409…).
 */
export interface RecordsApi {
  get(collection: string, id: string, options?: { expand?: string[] }): Promise<RecordData | null>;
  list(collection: string, options?: RecordListOptions): Promise<RecordPage>;
  aggregate(collection: string, options: AggregateOptions): Promise<AggregateRow[]>;
  create(collection: string, data: Record<string, unknown>): Promise<RecordData>;
  /** PUT: the whole record (created under this id when missing). */
  replace(
    collection: string,
    id: string,
    data: Record<string, unknown>,
    options?: WritePreconditions,
  ): Promise<RecordData>;
  /** PATCH as a merge patch (RFC 7396). */
  update(
    collection: string,
    id: string,
    changes: Record<string, unknown>,
    options?: WritePreconditions,
  ): Promise<RecordData>;
  delete(collection: string, id: string, options?: WritePreconditions): Promise<void>;
  /** The strong entity tag the API sends for this record (for a form's `_etag`, or an If-Match). */
  etag(record: RecordData): string;
}

/** HTML built by `ctx.html`: its values are escaped once, and never again when nested. */
export type { Html };

/** An answer with a status and headers of its own (`ctx.json`, `ctx.redirect`). */
export interface RouteResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Html | unknown;
}

export interface RouteContext {
  method: string;
  /** The request path, without the query. */
  path: string;
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string | string[]>>;
  /**
   * The body, parsed like an API body: a JSON value, or for a form
   * (urlencoded or multipart without files) its fields, a string each (an
   * array for a repeated name). Undefined without a body.
   */
  body: unknown;
  auth: Caller | null;
  /** Whether the request prefers HTML (a browser navigating or posting a form) to JSON. */
  prefersHtml: boolean;
  /**
   * The request's If-Match, or a form's `_etag` field: pass it on as
   * `options.ifMatch` of a write to refuse (412) a change to a record
   * someone else changed meanwhile.
   */
  ifMatch: string | undefined;
  records: RecordsApi;
  /** A transaction over all collections, without rules, as in hooks; only in unsafe handlers. */
  tx: HookTx;
  /** A tagged template that escapes every value (nested `ctx.html` and arrays of it stay as they are). */
  html(strings: TemplateStringsArray, ...values: unknown[]): Html;
  /** A fresh key for a form's hidden `_idempotency_key`; the page is then never stored by caches. */
  idempotencyKey(): string;
  /** 303 See Other to a same-origin path. */
  redirect(path: string): RouteResponse;
  /** JSON with a status (default 200) and headers of its own. */
  json(value: unknown, init?: { status?: number; headers?: Record<string, string> }): RouteResponse;
  /** Fail with a problem (rendered as problem+json, or the error page for a browser). */
  problem(status: number, detail: string): never;
}

/**
 * A custom route's handler. It may return `ctx.html`…`` (text/html), a
 * RouteResponse (`ctx.json`, `ctx.redirect`), undefined (204) or any other
 * value (JSON, 200).
 */
export type RouteHandler = (ctx: RouteContext) => unknown;

/** What the error page is given: the problem, and the request it answers. */
export interface ErrorPageContext {
  status: number;
  title: string;
  detail: string;
  /** Field problems of a 422. */
  errors: readonly FieldIssue[];
  method: string;
  path: string;
  auth: Caller | null;
  /** A same-origin path back to the page the request came from (or /). */
  back: string;
  html(strings: TemplateStringsArray, ...values: unknown[]): Html;
}

/** Renders the HTML page for an error, for requests that prefer HTML; undefined keeps the built-in page. */
export type ErrorPageHandler = (ctx: ErrorPageContext) => Html | undefined;

/** Runs once, when the database is new, in one transaction: sample data for a first start. */
export type SeedHandler = (ctx: { tx: HookTx }) => Promise<void> | void;
