/**
 * Checks `collections`: names, fields, rules and flags, adds the built-in
 * `users` collection and the `owner` relation that an `owner` rule needs.
 */

import {
  JSON_SERVER_NAME_PATTERN,
  jsonServerNamesOf,
  OWN_PATH_SEGMENTS,
} from '../schema/json-server-names.js';
import {
  type CacheSettings,
  type CollectionDef,
  type FieldDef,
  ID_KINDS,
  type IdKind,
  NAME_PATTERN,
  RULE_OPERATIONS,
  type Rule,
  type RuleOperation,
} from '../schema/types.js';
import { at, type Checker } from './checker.js';
import { RESERVED_USER_FIELDS, USER_FIELDS, USER_RULES } from './users-collection.js';
import { type FieldContext, validateField } from './validate-field.js';
import { readIndexes } from './validate-indexes.js';
import { checkRuleExpressions, readRules } from './validate-rules.js';

const COLLECTION_KEYS = [
  'fields',
  'rules',
  'requireIfMatch',
  'requireIdempotencyKey',
  'cache',
  'indexes',
  'ids',
  'single',
  'jsonServerName',
];
const CACHE_KEYS: readonly (keyof CacheSettings)[] = ['maxAge', 'sMaxAge', 'staleWhileRevalidate'];
/** These would shadow /api/auth, /api/files and /api/batch. */
export const RESERVED_COLLECTIONS: readonly string[] = ['auth', 'files', 'batch', 'realtime'];
/** System fields, and `expand`, which holds inlined relations in a record. */
const RESERVED_FIELDS = ['id', 'created', 'updated', 'expand'];
const NAME_RULE = 'must start with a letter and hold only letters, digits and "_" (at most 63 characters)';

const ADMIN_ONLY: Readonly<Record<RuleOperation, Rule>> = Object.fromEntries(
  RULE_OPERATIONS.map((op) => [op, 'admin']),
) as Record<RuleOperation, Rule>;

const OWNER_FIELD: FieldDef = { type: 'relation', collection: 'users' };

function checkCollectionName(c: Checker, name: string, path: string): void {
  if (!NAME_PATTERN.test(name)) c.fail(path, `collection name "${name}" ${NAME_RULE}`);
  if (RESERVED_COLLECTIONS.includes(name)) {
    c.fail(path, `"${name}" is reserved (it would hide /api/${name}); choose another collection name`);
  }
}

function readFields(
  c: Checker,
  value: unknown,
  path: string,
  collection: string,
  ctx: FieldContext,
): Record<string, FieldDef> {
  const raw = value === undefined ? {} : c.object(value, path);
  const fields: Record<string, FieldDef> = Object.create(null);
  if (collection === 'users') Object.assign(fields, structuredClone(USER_FIELDS));
  for (const [name, def] of Object.entries(raw)) {
    const fieldPath = at(path, name);
    c.collect(undefined, () => {
      if (!NAME_PATTERN.test(name)) c.fail(fieldPath, `field name "${name}" ${NAME_RULE}`);
      if (RESERVED_FIELDS.includes(name)) {
        c.fail(fieldPath, `"${name}" is reserved: id, created, updated and expand are system fields`);
      }
      if (collection === 'users' && RESERVED_USER_FIELDS.includes(name)) {
        c.fail(fieldPath, `"${name}" is a built-in field of users and cannot be redeclared`);
      }
      fields[name] = validateField(c, def, fieldPath, name, ctx);
    });
  }
  return fields;
}

/** Adds the `owner` relation an `owner` rule relies on, or checks the declared one fits. */
function ensureOwner(
  c: Checker,
  fields: Record<string, FieldDef>,
  rules: Record<RuleOperation, Rule>,
  path: string,
) {
  if (!RULE_OPERATIONS.some((op) => rules[op] === 'owner')) return;
  const owner = fields.owner;
  if (owner === undefined) {
    fields.owner = { ...OWNER_FIELD };
  } else if (owner.type !== 'relation' || owner.collection !== 'users' || owner.multiple === true) {
    c.fail(
      at(at(path, 'fields'), 'owner'),
      'the rules use "owner", so owner must be a single relation to users',
    );
  }
}

function validateCollection(c: Checker, name: string, value: unknown, ctx: FieldContext): CollectionDef {
  const path = at('collections', name);
  const raw = value === undefined ? {} : c.object(value, path, COLLECTION_KEYS);
  const auth = name === 'users';
  const before = c.problems.length;
  const fields = c.collect(Object.create(null), () =>
    readFields(c, raw.fields, at(path, 'fields'), name, ctx),
  );
  const fieldsOk = c.problems.length === before;
  const defaults = auth ? USER_RULES : ADMIN_ONLY;
  const rules = c.collect({ ...defaults }, () => readRules(c, raw.rules, at(path, 'rules'), defaults));
  // The rules are checked against the fields only when every field could be read (else: unknown twice).
  if (fieldsOk) {
    c.collect(undefined, () => ensureOwner(c, fields, rules, path));
    c.collect(undefined, () => checkRuleExpressions(c, rules, at(path, 'rules'), Object.keys(fields)));
  }
  const flag = (key: string) =>
    c.collect(false, () => (raw[key] === undefined ? false : c.boolean(raw[key], at(path, key))));
  const def: CollectionDef = {
    name,
    fields,
    rules,
    requireIfMatch: flag('requireIfMatch'),
    requireIdempotencyKey: flag('requireIdempotencyKey'),
    auth,
  };
  // Set only when not the default, so a Config prints as it was written.
  const ids = c.collect<IdKind>('random', () => readIds(c, raw.ids, at(path, 'ids')));
  if (ids !== 'random') def.ids = ids;
  if (flag('single')) {
    if (auth)
      c.collect(undefined, () =>
        c.fail(at(path, 'single'), 'users holds every account: it cannot be single'),
      );
    else def.single = true;
  }
  if (raw.jsonServerName !== undefined) {
    const name = c.collect(undefined, () =>
      readJsonServerName(c, raw.jsonServerName, at(path, 'jsonServerName')),
    );
    if (name !== undefined) def.jsonServerName = name;
  }
  if (raw.cache !== undefined) {
    const cache = c.collect(undefined, () => readCache(c, raw.cache, at(path, 'cache')));
    if (cache) def.cache = cache;
  }
  // Checked against the fields only when every field could be read, as the rules are.
  if (raw.indexes !== undefined && fieldsOk) {
    const indexes = c.collect([], () => readIndexes(c, raw.indexes, at(path, 'indexes'), fields));
    if (indexes.length > 0) def.indexes = indexes;
  }
  return def;
}

/** `ids`: how created records are named. */
function readIds(c: Checker, value: unknown, path: string): IdKind {
  if (value === undefined) return 'random';
  if (typeof value === 'string' && (ID_KINDS as readonly string[]).includes(value)) return value as IdKind;
  return c.expected(path, ID_KINDS.map((k) => JSON.stringify(k)).join(' or '), value);
}

/** `jsonServerName`: a URL-safe path segment that is none of the server's own. */
function readJsonServerName(c: Checker, value: unknown, path: string): string {
  const name = c.string(value, path);
  if (!JSON_SERVER_NAME_PATTERN.test(name)) {
    c.fail(
      path,
      `"${name}" is not a URL path segment: use 1 to 64 of A-Z a-z 0-9 - _ . ~, not starting with "."`,
    );
  }
  if (OWN_PATH_SEGMENTS.includes(name)) {
    c.fail(path, `"${name}" is a path of the server's own (/${name}/…); choose another json-server name`);
  }
  return name;
}

/** Every collection's json-server name is its own (the accounts collection gives `users` up: json-server-names.ts). */
function checkJsonServerNames(c: Checker, collections: Record<string, CollectionDef>): void {
  const { byName } = jsonServerNamesOf(Object.values(collections));
  for (const def of Object.values(collections)) {
    const own = def.jsonServerName === undefined;
    if (own && def.auth) continue;
    const name = def.jsonServerName ?? def.name;
    const holder = byName.get(name);
    if (holder === undefined || holder === def.name) continue;
    // Reported at the jsonServerName that makes the clash.
    const [claimant, other] = own ? [holder, def.name] : [def.name, holder];
    c.collect(undefined, () =>
      c.fail(
        at(at('collections', claimant), 'jsonServerName'),
        `"${name}" is the json-server name of collection ${other} already: each collection needs its own`,
      ),
    );
  }
}

/** `cache`: seconds, each a whole number ≥ 0 and each optional. */
function readCache(c: Checker, value: unknown, path: string): CacheSettings {
  const raw = c.object(value, path, CACHE_KEYS);
  const out: CacheSettings = {};
  for (const key of CACHE_KEYS) {
    if (raw[key] !== undefined) out[key] = c.integer(raw[key], at(path, key), 0);
  }
  return out;
}

/** Validates `collections`; `users` always comes first, the rest in the order written. */
export function validateCollections(c: Checker, value: unknown): Record<string, CollectionDef> {
  const raw = value === undefined ? {} : c.object(value, 'collections');
  const names = Object.keys(raw);
  const ctx: FieldContext = { collections: new Set(['users', ...names]) };
  const collections: Record<string, CollectionDef> = Object.create(null);
  for (const name of ['users', ...names.filter((n) => n !== 'users')]) {
    c.collect(undefined, () => {
      if (name !== 'users') checkCollectionName(c, name, at('collections', name));
      collections[name] = validateCollection(c, name, raw[name], ctx);
    });
  }
  checkJsonServerNames(c, collections);
  return collections;
}
