/**
 * The collection model: what a config declares, after validation.
 * Everything here is plain data, frozen once the config is loaded.
 */

export const FIELD_TYPES = [
  'text',
  'integer',
  'number',
  'boolean',
  'date',
  'email',
  'url',
  'select',
  'json',
  'relation',
  'file',
] as const;

export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDef {
  type: FieldType;
  required?: boolean;
  unique?: boolean;
  /** Length for text-like fields, value for integer/number, count for `multiple`. */
  min?: number;
  max?: number;
  pattern?: string;
  /** Allowed values of a `select` field. */
  values?: readonly string[];
  default?: unknown;
  /** `file` and `relation` (and `select`) fields may hold several values. */
  multiple?: boolean;
  /** `file`: largest accepted size in bytes. */
  maxSize?: number;
  /** `file`: accepted media types (checked by content), e.g. `image/png`, `image/*`. */
  accept?: readonly string[];
  /** `relation`: the target collection. */
  collection?: string;
  /**
   * Kept out of every response but administrators' (records, lists, expand,
   * batch, replays, files); it can still be written and used in rules, but a
   * caller who cannot see it cannot filter, sort, group or expand by it either.
   */
  hidden?: boolean;
  /** `relation`: what deleting the record it points to does (default `restrict`). */
  onDelete?: OnDelete;
}

/**
 * Fields of a user (an `auth` collection's record) that only that user and
 * administrators see: anyone may see a reviewer's name (with `expand=owner`)
 * without their email.
 */
export const SELF_ONLY_USER_FIELDS: readonly string[] = ['email'];

/**
 * What deleting a record does to the records whose relation points to it:
 * refuse the delete (409), delete them too, or clear the relation.
 */
export const ON_DELETE = ['restrict', 'cascade', 'setNull'] as const;
export type OnDelete = (typeof ON_DELETE)[number];

/** One operation's access rule. */
export type RuleKind = 'public' | 'auth' | 'owner' | 'admin' | 'nobody';
/** A rule is a kind, or a filter expression that may use `@auth.*`. */
export type Rule = RuleKind | (string & {});

export const RULE_OPERATIONS = ['list', 'view', 'create', 'update', 'delete'] as const;
export type RuleOperation = (typeof RULE_OPERATIONS)[number];

export interface CollectionDef {
  name: string;
  /** Declared fields in declaration order (system fields excluded). */
  fields: Readonly<Record<string, FieldDef>>;
  rules: Readonly<Record<RuleOperation, Rule>>;
  requireIfMatch: boolean;
  requireIdempotencyKey: boolean;
  /** True for the built-in `users` collection. */
  auth: boolean;
  /** Freshness for shared caches on public reads; absent: `no-cache`. */
  cache?: CacheSettings;
  /** Indexes the config declares (`indexes`), beyond the ones every table gets. */
  indexes?: readonly IndexDef[];
  /**
   * How the server makes the id of a created record: `random` (15 URL-safe
   * characters, the default) or `increment` (the next whole number after the
   * largest one given, as json-server does; still a string in /api).
   * Absent: random.
   */
  ids?: IdKind;
  /**
   * A collection holding one record at most (json-server's singular
   * resources, e.g. `"profile": {…}`); a second create is a 409.
   * Absent: false.
   */
  single?: boolean;
  /**
   * The name json-server used for this collection (a db.json key such as
   * `users` or `blog-posts`): its URL under `jsonServer: true`, its key on
   * import and export in db.json shape, the name `_embed` and `xxxId`
   * relations use. Absent: the collection's own name.
   */
  jsonServerName?: string;
}

export const ID_KINDS = ['random', 'increment'] as const;
export type IdKind = (typeof ID_KINDS)[number];

/** One declared index: its keys in order, each ascending or descending, and whether it is unique. */
export interface IndexDef {
  fields: readonly { field: string; desc: boolean }[];
  unique: boolean;
}

/** Seconds a collection's public reads may be reused (Cache-Control max-age, s-maxage, stale-while-revalidate). */
export interface CacheSettings {
  maxAge?: number;
  sMaxAge?: number;
  staleWhileRevalidate?: number;
}

/** System fields present on every record, never declared. */
export const SYSTEM_FIELDS = ['id', 'created', 'updated'] as const;

/** `^[A-Za-z0-9_-]{1,64}$`: ids a client may choose on PUT. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A collection or field name: a safe SQL identifier and URL segment. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** A stored record as the service sees it: system fields plus field values. */
export interface RecordData {
  id: string;
  created: string;
  updated: string;
  [field: string]: unknown;
}

/**
 * A row of grouped totals: the groupBy fields' values, `count` (an integer)
 * and one member per summed field holding its sum.
 */
export type AggregateRow = Record<string, string | number | boolean | null>;
