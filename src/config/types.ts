import type { CollectionDef, FieldDef, Rule, RuleOperation } from '../schema/types.js';

/** The config as a user writes it (methodical.config.{json,ts,js}). */
export interface UserConfig {
  collections?: Record<string, UserCollection>;
  routes?: Record<string, string>;
  public?: string;
  trustProxy?: boolean;
  publicUrl?: string;
  cors?: { origins?: string[] };
  idempotency?: { ttl?: number | string };
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
  };
  auth?: {
    sessionTtl?: number | string;
    loginThrottle?: { perEmail?: number; perAddress?: number; window?: number | string };
  };
  hooks?: Record<string, CollectionHooks>;
}

export interface UserCollection {
  fields?: Record<string, FieldDef>;
  rules?: Partial<Record<RuleOperation, Rule>>;
  requireIfMatch?: boolean;
  requireIdempotencyKey?: boolean;
}

export type HookName =
  | 'beforeCreate'
  | 'beforeUpdate'
  | 'beforeDelete'
  | 'afterCreate'
  | 'afterUpdate'
  | 'afterDelete';

// biome-ignore lint/suspicious/noExplicitAny: hook contexts are typed in service/hooks.ts
export type HookFn = (ctx: any) => unknown;
export type CollectionHooks = Partial<Record<HookName, HookFn>>;

/** A route alias: `POST /add-book` → `POST /api/books`. */
export interface RouteAlias {
  method: string;
  path: string;
  targetMethod: string;
  targetPath: string;
}

/** The validated, frozen config every layer reads. */
export interface Config {
  /** The file it came from (for messages), or `<inline>`. */
  file: string;
  /** The folder the config lives in: relative paths resolve from here. */
  dir: string;
  collections: Readonly<Record<string, CollectionDef>>;
  routes: readonly RouteAlias[];
  /** Absolute path of the static folder, if any. */
  publicDir?: string;
  trustProxy: boolean;
  publicUrl?: string;
  cors: { origins: readonly string[] };
  idempotency: { ttlSeconds: number };
  limits: { json: number; multipart: number; parts: number; fieldSize: number; batch: number };
  auth: {
    sessionTtlSeconds: number;
    loginThrottle: { perEmail: number; perAddress: number; windowSeconds: number };
  };
  hooks: Readonly<Record<string, CollectionHooks>>;
}
