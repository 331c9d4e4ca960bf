/**
 * A config inferred from a json-server `db.json`: each top-level array of
 * objects becomes a collection, each top-level object a `single: true`
 * collection; fields are the union of the records' keys, typed by their
 * values. A key that cannot be a collection name (`users`, `blog-posts`)
 * becomes json_<key> with `jsonServerName` keeping the key (RENAME_RULE). Pure: data in, config (plain JSON) and notes out; anything that
 * cannot become a collection or a field is an InferError naming the key
 * and the record, never a guess.
 */
import { normaliseDate } from '../schema/fields/date.js';
import { JSON_SERVER_NAME_PATTERN, OWN_PATH_SEGMENTS } from '../schema/json-server-names.js';
import { type FieldDef, ID_PATTERN, NAME_PATTERN, RULE_OPERATIONS } from '../schema/types.js';
import { isPlainObject } from '../util/is-plain-object.js';
import type { UserCollection, UserConfig } from './types.js';
import { RESERVED_COLLECTIONS as RESERVED_API_NAMES } from './validate-collections.js';

/** Bounds on the work: collections, fields per collection and records in all. */
export const INFER_LIMITS = { collections: 200, fields: 500, records: 2_000_000 } as const;

/** Keys that are system fields of every record: `id` names it, `created`/`updated` are its timestamps. */
const SYSTEM_KEYS = new Set(['id', 'created', 'updated']);
/** Collection names the server keeps for itself (users holds accounts; the others name /api routes). */
const RESERVED_COLLECTIONS = new Set(['users', ...RESERVED_API_NAMES, 'realtime']);
/** What a db.json key that cannot be a collection name becomes: see collectionNameFor. */
export const RENAME_RULE =
  'a key that cannot be a collection name (users, auth, files, batch, realtime, or not a letter then letters, digits and _) becomes the collection json_<key>, other characters as _, with jsonServerName: "<key>" keeping its URL and db.json key';
const RESERVED_FIELDS = new Set(['expand']);
/** At most this many problems are listed; the count of the rest is given. */
const SHOWN_PROBLEMS = 10;

export class InferError extends Error {
  constructor(readonly problems: readonly string[]) {
    const more = problems.length > SHOWN_PROBLEMS ? `\n  (and ${problems.length - SHOWN_PROBLEMS} more)` : '';
    super(`cannot infer a config:\n  ${problems.slice(0, SHOWN_PROBLEMS).join('\n  ')}${more}`);
    this.name = 'InferError';
  }
}

export interface InferredConfig {
  /** Plain JSON, as written to methodical.config.json. */
  config: UserConfig & { collections: Record<string, UserCollection> };
  /** Top-level keys that are neither arrays of objects nor objects, with why: they are not imported. */
  skipped: string[];
}

type Kind = 'integer' | 'number' | 'boolean' | 'date' | 'text' | 'json';

/** The kind of one non-null value. */
function kindOf(value: unknown): Kind {
  switch (typeof value) {
    case 'number':
      return Number.isSafeInteger(value) ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
      return normaliseDate(value) === value ? 'date' : 'text';
    default:
      return 'json';
  }
}

/** The kind that holds values of both kinds. */
function widen(a: Kind, b: Kind): Kind {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('integer') && pair.has('number')) return 'number';
  // Some strings are dates and some are not: all of them are text.
  if (pair.has('date') && pair.has('text')) return 'text';
  return 'json';
}

/** The collections a key such as `postId` or `author_id` may point to: posts, postes, …; category → categories. */
function targetsOf(key: string): string[] {
  const base = /^(.+?)(?:Id|_id)$/.exec(key)?.[1];
  if (!base) return [];
  const names = [`${base}s`, `${base}es`];
  if (base.endsWith('y')) names.push(`${base.slice(0, -1)}ies`);
  return names;
}

/** The text form of an id as json-server holds it (a number or a string), or undefined when it is neither. */
function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A whole number id (what json-server counts up from). */
function isIntegerId(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

interface Source {
  /** The db.json key (the json-server name). */
  name: string;
  /** The collection it becomes: the key, or json_<key> (collectionNameFor). */
  collection: string;
  records: Record<string, unknown>[];
  single: boolean;
}

/** Whether a db.json key can be a collection's name as it is. */
const usableName = (key: string) => NAME_PATTERN.test(key) && !RESERVED_COLLECTIONS.has(key);

/** The collection a key becomes (RENAME_RULE): itself, or json_<key> made a name and unique among `taken`. */
function collectionNameFor(key: string, taken: Set<string>): string {
  if (usableName(key)) return key;
  const base = `json_${key.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 63);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 63 - String(n).length - 1)}_${n}`;
  taken.add(name);
  return name;
}

/** The top-level keys that become collections, the ones skipped, and every problem found on the way. */
function sources(data: Record<string, unknown>, problems: string[]): { list: Source[]; skipped: string[] } {
  const list: Source[] = [];
  const skipped: string[] = [];
  let records = 0;
  for (const [name, value] of Object.entries(data)) {
    if (Array.isArray(value)) {
      const bad = value.findIndex((item) => !isPlainObject(item));
      if (bad >= 0) {
        skipped.push(`"${name}": ${name}[${bad}] is not an object, so the array is not a collection`);
        continue;
      }
      list.push({ name, collection: name, records: value as Record<string, unknown>[], single: false });
      records += value.length;
    } else if (isPlainObject(value)) {
      list.push({ name, collection: name, records: [value], single: true });
      records += 1;
    } else {
      skipped.push(`"${name}": ${value === null ? 'null' : `a ${typeof value}`}, not an array or an object`);
    }
  }
  if (list.length > INFER_LIMITS.collections)
    problems.push(`${list.length} collections: at most ${INFER_LIMITS.collections} are inferred`);
  if (records > INFER_LIMITS.records)
    problems.push(`${records} records: at most ${INFER_LIMITS.records} are imported at once`);
  const taken = new Set(list.map((s) => s.name).filter(usableName));
  for (const source of list) {
    const { name } = source;
    if (!JSON_SERVER_NAME_PATTERN.test(name))
      problems.push(
        `"${name}": not a URL path segment (1 to 64 of A-Z a-z 0-9 - _ . ~, not starting with "."); rename the key in the file`,
      );
    else if (!usableName(name) && OWN_PATH_SEGMENTS.includes(name))
      problems.push(`"${name}": a path of the server's own (/${name}/…); rename the key in the file`);
    else source.collection = collectionNameFor(name, taken);
  }
  return { list, skipped };
}

/** An id as a relation value must match it: the same JSON type and text (1 names 1, "1" names "1"). */
const idKey = (value: unknown) => `${typeof value}:${String(value)}`;

/** The ids of each collection (as idKey), checked: they fit the id pattern and none repeats. */
function collectIds(list: readonly Source[], problems: string[]): Map<string, Set<string>> {
  const ids = new Map<string, Set<string>>();
  for (const { name, records, single } of list) {
    const seen = new Set<string>();
    const texts = new Set<string>();
    records.forEach((record, i) => {
      if (!Object.hasOwn(record, 'id')) return;
      const where = single ? name : `${name}[${i}]`;
      const text = idText(record.id);
      if (
        text === undefined ||
        !ID_PATTERN.test(text) ||
        (typeof record.id === 'number' && !isIntegerId(record.id))
      ) {
        problems.push(
          `${where}: id ${JSON.stringify(record.id)} does not fit (a whole number, or 1 to 64 of A-Z a-z 0-9 _ -)`,
        );
      } else if (texts.has(text)) {
        problems.push(`${where}: id ${JSON.stringify(record.id)} is used by an earlier record too`);
      } else {
        texts.add(text);
        seen.add(idKey(record.id));
      }
    });
    ids.set(name, seen);
  }
  return ids;
}

/** What relation inference knows of the file: each key's ids, its collection, and the single ones. */
interface Targets {
  ids: ReadonlyMap<string, Set<string>>;
  collections: ReadonlyMap<string, string>;
  singles: ReadonlySet<string>;
}

/**
 * A field from one key's values (nulls left out), or a relation when they
 * all name records of another collection: `userId` → the key `users`, to
 * its collection (json_users).
 */
function inferField(key: string, values: readonly unknown[], targets: Targets): FieldDef {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length > 0) {
    for (const target of targetsOf(key)) {
      const known = targets.ids.get(target);
      if (!known || targets.singles.has(target)) continue;
      if (present.every((v) => known.has(idKey(v))))
        return { type: 'relation', collection: targets.collections.get(target), onDelete: 'cascade' };
    }
  }
  let kind: Kind | undefined;
  for (const value of present) {
    kind = kind === undefined ? kindOf(value) : widen(kind, kindOf(value));
    if (kind === 'json') break;
  }
  return { type: kind ?? 'json' };
}

/** One collection's config: fields in the order their keys first appear, ids, rules open to everyone. */
function inferCollection(source: Source, targets: Targets, problems: string[]): UserCollection {
  const values = new Map<string, unknown[]>();
  source.records.forEach((record, i) => {
    for (const [key, value] of Object.entries(record)) {
      if (SYSTEM_KEYS.has(key)) continue;
      let list = values.get(key);
      if (!list) {
        const where = source.single ? source.name : `${source.name}[${i}]`;
        if (!NAME_PATTERN.test(key))
          problems.push(
            `${where}: key "${key}" is not a valid field name (a letter, then letters, digits or _, at most 63)`,
          );
        else if (RESERVED_FIELDS.has(key))
          problems.push(`${where}: key "${key}" is reserved (it names the expand query parameter)`);
        list = [];
        values.set(key, list);
      }
      list.push(value);
    }
  });
  if (values.size > INFER_LIMITS.fields)
    problems.push(`${source.name}: ${values.size} keys: at most ${INFER_LIMITS.fields} fields are inferred`);
  const fields: Record<string, FieldDef> = {};
  for (const [key, list] of values) fields[key] = inferField(key, list, targets);
  const collection: UserCollection = { fields };
  // json-server counts up from the largest whole-number id; any other id makes its new ids random.
  // A singular resource is counted only when it has a number for an id (so export gives a number back).
  const counted = source.single
    ? isIntegerId(source.records[0]?.id)
    : source.records.every((r) => !Object.hasOwn(r, 'id') || isIntegerId(r.id));
  if (counted) collection.ids = 'increment';
  if (source.single) collection.single = true;
  if (source.collection !== source.name) collection.jsonServerName = source.name;
  collection.rules = Object.fromEntries(RULE_OPERATIONS.map((op) => [op, 'public']));
  return collection;
}

/** The config a db.json implies; throws InferError listing what cannot be inferred. */
export function inferConfig(data: unknown): InferredConfig {
  if (!isPlainObject(data))
    throw new InferError(['the file must hold a JSON object whose keys name collections, as db.json does']);
  const problems: string[] = [];
  const { list, skipped } = sources(data, problems);
  const ids = collectIds(list, problems);
  const singles = new Set(list.filter((s) => s.single).map((s) => s.name));
  const targets: Targets = { ids, singles, collections: new Map(list.map((s) => [s.name, s.collection])) };
  const collections: Record<string, UserCollection> = {};
  for (const source of list) collections[source.collection] = inferCollection(source, targets, problems);
  if (problems.length > 0) throw new InferError(problems);
  return { config: { jsonServer: true, collections }, skipped };
}

/** What the inferred config holds, for a person: one line per collection, then the note about rules. */
export function describeInferred(inferred: InferredConfig, file: string): string[] {
  const lines: string[] = [];
  const entries = Object.entries(inferred.config.collections);
  const label = (name: string, c: UserCollection) =>
    c.jsonServerName === undefined ? name : `${name} ("${c.jsonServerName}")`;
  const width = Math.max(0, ...entries.map(([name, c]) => label(name, c).length));
  for (const [name, c] of entries) {
    const kind = c.single ? 'one record' : c.ids === 'increment' ? 'ids 1, 2, 3…' : 'ids as given';
    const fields = Object.entries(c.fields ?? {}).map(([key, f]) =>
      f.type === 'relation' ? `${key} → ${f.collection}` : `${key}: ${f.type}`,
    );
    lines.push(`  ${label(name, c).padEnd(width)}  ${kind}; ${fields.join(', ') || 'no fields'}`);
  }
  for (const s of inferred.skipped) lines.push(`  skipped ${s}`);
  if (entries.some(([, c]) => c.jsonServerName !== undefined)) lines.push(`Renamed: ${RENAME_RULE}.`);
  lines.push(
    `Every rule is "public", as in json-server: anyone may list, view, create, update and delete. Tighten "rules" in ${file} before this goes online.`,
  );
  return lines;
}
