import type { CacheSettings, CollectionDef, FieldDef, Rule, RuleOperation } from '../schema/types.js';
import type { CollectionHooks, ErrorPageHandler, RouteHandler, SeedHandler } from './app-types.js';

export type { CollectionHooks, HookFn, HookName } from './app-types.js';

/** The config as a user writes it (methodical.config.{json,ts,js}). */
export interface UserConfig {
  collections?: Record<string, UserCollection>;
  /**
   * `"POST /add-book": "POST /api/books"` aliases an API route; in a TS/JS
   * config, `"GET /books/:id": async (ctx) => …` is a route of your own.
   */
  routes?: Record<string, string | RouteHandler>;
  public?: string;
  trustProxy?: boolean;
  publicUrl?: string;
  /** Other origins (scheme://host[:port]) whose cookie-authenticated requests are accepted. */
  trustedOrigins?: string[];
  cors?: { origins?: string[] };
  /**
   * json-server compatibility: its URLs (`/posts`, `/posts/1`, `/profile`,
   * `/posts/1/comments`) and query language beside /api, lists as plain arrays.
   */
  jsonServer?: boolean;
  idempotency?: { ttl?: number | string };
  /** Live changes (GET /api/realtime): the change log's retention and the bounds on streams. */
  realtime?: {
    /** How long a change stays replayable (Last-Event-ID); default 24 h. */
    retention?: number | string;
    /** Most changes kept, whatever their age; default 100,000. */
    keep?: number;
    /** A comment line this often keeps idle streams through proxies; default 25 s. */
    heartbeat?: number | string;
    /** Most topics one stream may name; default 32. */
    topics?: number;
    /** Most streams one client (user, or address when anonymous) may hold open per node; default 16. */
    connectionsPerClient?: number;
    /** Most changes one reconnect replays before it is told to refetch instead; default 10,000. */
    replay?: number;
    /** Bytes a stream may have waiting for a slow client before it is closed; default 1 MiB. */
    queue?: number;
  };
  limits?: {
    /** Largest JSON (or urlencoded) body in bytes; default 1 MiB. */
    json?: number;
    /** Largest multipart body in bytes. */
    multipart?: number;
    /** Most parts in one multipart body. */
    parts?: number;
    /** Largest non-file form field in bytes. */
    fieldSize?: number;
    /** Most requests in one batch; default 100. */
    batch?: number;
    /** Most operations in one JSON Patch document; default 100. */
    patchOperations?: number;
    /** Most comparisons in one filter (the `filter` parameter and shorthand equalities); default 100. */
    filterTerms?: number;
    /** Most related records one read may expand; default 1000. */
    expand?: number;
    /** Most bytes of records one read may load: a page, and the records it expands; default 32 MiB. */
    response?: number;
    /** Most connections open at once; default 10,000 (and never more than the process may open files for). */
    connections?: number;
    /** Longest request target (path and query) in bytes; default 8 KiB. */
    url?: number;
    /** Largest request head (request line and header fields) in bytes; default 16 KiB. */
    headers?: number;
  };
  /** How long a client may take; durations in seconds, or strings like "30s", "2m". */
  timeouts?: {
    /** For the request line and headers to arrive, from the connection's first byte; default 10 s. */
    headers?: number | string;
    /** Before a request body must keep arriving at `bodyRate` bytes per second; default 20 s. */
    body?: number | string;
    /** Bytes per second a body must average once `body` has passed; default 1024. */
    bodyRate?: number;
    /** An idle keep-alive connection is closed after this; default 72 s. */
    idle?: number | string;
  };
  /**
   * `full` (the default): an answered write is on disk and survives a power
   * cut. `normal`: faster commits that survive a crash of the process but
   * may lose the last writes on a power cut or an OS crash.
   */
  durability?: Durability;
  auth?: {
    sessionTtl?: number | string;
    /**
     * Failed logins within `window` (default 10 min): `perEmail` (10) for one
     * email from one address or `perAddress` (50) from one address answer 429
     * there; `perEmailTotal` (100) for one email from anywhere slow that email
     * down to one try per address per `slowDown` (60 s at most).
     */
    loginThrottle?: {
      perEmail?: number;
      perAddress?: number;
      perEmailTotal?: number;
      window?: number | string;
      slowDown?: number | string;
    };
  };
  hooks?: Record<string, CollectionHooks>;
  /** The HTML page for errors, for requests that prefer HTML (TS/JS config). */
  errorPage?: ErrorPageHandler;
  /** Sample data written once, when the database is new (TS/JS config). */
  seed?: SeedHandler;
}

export interface UserCollection {
  fields?: Record<string, FieldDef>;
  rules?: Partial<Record<RuleOperation, Rule>>;
  requireIfMatch?: boolean;
  requireIdempotencyKey?: boolean;
  /** `random` (default) or `increment` (1, 2, 3…: json-server's numeric ids). */
  ids?: 'random' | 'increment';
  /** At most one record (a json-server singular resource). */
  single?: boolean;
  /** The db.json key and json-server URL segment when it is not the collection's name (`"users"`, `"blog-posts"`). */
  jsonServerName?: string;
  /** Let shared caches keep public reads: `{ maxAge, sMaxAge, staleWhileRevalidate }` in seconds. */
  cache?: CacheSettings;
  /**
   * Indexes for the sorts and filters the app uses: `["genre", "-year"]`
   * (`-` = descending) or `{ fields: ["isbn"], unique: true }`.
   */
  indexes?: (readonly string[] | { fields: readonly string[]; unique?: boolean })[];
}

export type Durability = 'full' | 'normal';

/** The methods a route of the config's own may answer (HEAD comes with GET). */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A route of the config's own (TS/JS config): `GET /books/:id` → a handler. */
export interface CustomRoute {
  method: RouteMethod;
  path: string;
  handler: RouteHandler;
}

/** A route alias: `POST /add-book` → `POST /api/books`. */
export interface RouteAlias {
  method: string;
  path: string;
  targetMethod: string;
  targetPath: string;
}

export interface Limits {
  json: number;
  multipart: number;
  parts: number;
  fieldSize: number;
  batch: number;
  patchOperations: number;
  filterTerms: number;
  expand: number;
  response: number;
  connections: number;
  url: number;
  headers: number;
}

/** The `realtime` section, settled (durations in seconds). */
export interface RealtimeSettings {
  retentionSeconds: number;
  keep: number;
  heartbeatSeconds: number;
  topics: number;
  connectionsPerClient: number;
  replay: number;
  queueBytes: number;
}

/** Durations in seconds. */
export interface Timeouts {
  headers: number;
  body: number;
  /** Bytes per second. */
  bodyRate: number;
  idle: number;
}

/** The validated, frozen config every layer reads. */
export interface Config {
  /** The file it came from (for messages), or `<inline>`. */
  file: string;
  /** The folder the config lives in: relative paths resolve from here. */
  dir: string;
  collections: Readonly<Record<string, CollectionDef>>;
  routes: readonly RouteAlias[];
  /** Handlers of the config's own, in the order the config lists them. */
  customRoutes: readonly CustomRoute[];
  /** Absolute path of the static folder, if any. */
  publicDir?: string;
  trustProxy: boolean;
  publicUrl?: string;
  trustedOrigins: readonly string[];
  cors: { origins: readonly string[] };
  /** json-server compatibility mode (`jsonServer: true`). */
  jsonServer: boolean;
  idempotency: { ttlSeconds: number };
  realtime: RealtimeSettings;
  limits: Limits;
  timeouts: Timeouts;
  durability: Durability;
  auth: {
    sessionTtlSeconds: number;
    loginThrottle: {
      perEmail: number;
      perAddress: number;
      perEmailTotal: number;
      windowSeconds: number;
      slowDownSeconds: number;
    };
  };
  hooks: Readonly<Record<string, CollectionHooks>>;
  errorPage?: ErrorPageHandler;
  seed?: SeedHandler;
}
