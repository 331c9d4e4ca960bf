/**
 * What one caller hears of the change log: their topics (a collection, or
 * one record of it), each with the rule that decides — `list` for a
 * collection, `view` for a record — checked against the record as
 * committed (on a delete, as it was), and the record as that caller would
 * GET it: hidden fields left out, the ETag of what is sent.
 */
import { evaluate } from '../../query/evaluate.js';
import type { CompiledCollection } from '../../schema/compile-collection.js';
import { type CollectionDef, ID_PATTERN } from '../../schema/types.js';
import type { Change, ChangeOp } from '../../store/change-log.js';
import { Problem } from '../../util/problem.js';
import type { RequestContext } from '../context.js';
import { type Access, access } from '../rules.js';
import { hiddenIn, visibleJson } from '../visibility.js';

/**
 * Events already rendered, per change and per set of fields hidden from
 * the caller: every stream gets the same change objects from the hub, and
 * most callers see a record alike, so a change is serialised once per
 * kind of viewer rather than once per stream.
 */
const rendered = new WeakMap<Change, Map<string, RealtimeEvent>>();

export interface Topic {
  collection: string;
  /** A record's topic; absent for the whole collection. */
  id?: string;
}

/** One event of a stream: its id (the change's seq), its type, its data as JSON text. */
export interface RealtimeEvent {
  id: number;
  event: ChangeOp;
  data: string;
}

function badTopics(detail: string): Problem {
  return new Problem('invalidQuery', detail, { extra: { parameter: 'topics' } });
}

/** `books,books/42,orders` → topics, or a 400 (404 for an unknown collection) saying what is wrong. */
export function parseTopics(
  raw: unknown,
  schema: ReadonlyMap<string, CompiledCollection>,
  max: number,
): Topic[] {
  if (typeof raw !== 'string' || raw === '') {
    throw badTopics('Name the topics to follow: ?topics=books,books/42 (collections, or records of one).');
  }
  const parts = raw.split(',');
  if (parts.length > max) {
    throw badTopics(
      `A stream may follow at most ${max} topics (realtime.topics); ${parts.length} were given.`,
    );
  }
  const seen = new Set<string>();
  const topics: Topic[] = [];
  for (const part of parts) {
    const slash = part.indexOf('/');
    const collection = slash < 0 ? part : part.slice(0, slash);
    const id = slash < 0 ? undefined : part.slice(slash + 1);
    if (collection === '') throw badTopics(`The topic "${part}" names no collection.`);
    if (!schema.has(collection)) {
      throw new Problem('notFound', `The topic "${part}" names no collection: there is no "${collection}".`, {
        extra: { parameter: 'topics' },
      });
    }
    if (id !== undefined && !ID_PATTERN.test(id)) {
      throw badTopics(
        `The topic "${part}" has a bad record id: ids are 1 to 64 letters, digits, "_" or "-".`,
      );
    }
    if (seen.has(part)) continue;
    seen.add(part);
    topics.push(id === undefined ? { collection } : { collection, id });
  }
  return topics;
}

interface Heard {
  def: CollectionDef;
  /** Who may hear of the collection's changes (its list rule), when followed. */
  list?: Access;
  /** Followed records of it, each with the view rule. */
  records: Map<string, Access>;
}

function allowed(rule: Access | undefined, change: Change): boolean {
  if (rule === undefined) return false;
  return rule.kind === 'all' || evaluate(rule.filter, change.record);
}

export class Audience {
  private readonly heard = new Map<string, Heard>();

  /** Checks every topic's rule now: a caller who may not follow one gets its 401 or 403. */
  constructor(
    schema: ReadonlyMap<string, CompiledCollection>,
    private readonly ctx: RequestContext,
    topics: readonly Topic[],
  ) {
    for (const topic of topics) {
      const def = (schema.get(topic.collection) as CompiledCollection).def;
      let entry = this.heard.get(topic.collection);
      if (!entry) {
        entry = { def, records: new Map() };
        this.heard.set(topic.collection, entry);
      }
      if (topic.id === undefined) entry.list = access(def, 'list', ctx);
      else entry.records.set(topic.id, access(def, 'view', ctx));
    }
  }

  /** The change as this caller hears it, or null when it is none of theirs. */
  event(change: Change): RealtimeEvent | null {
    const entry = this.heard.get(change.collection);
    if (!entry) return null;
    if (!allowed(entry.list, change) && !allowed(entry.records.get(change.id), change)) return null;
    const key = change.op === 'delete' ? '' : hiddenIn(entry.def, this.ctx, change.record).join(',');
    let views = rendered.get(change);
    if (!views) {
      views = new Map();
      rendered.set(change, views);
    }
    let event = views.get(key);
    if (!event) {
      event = this.render(entry.def, change);
      views.set(key, event);
    }
    return event;
  }

  private render(def: CollectionDef, change: Change): RealtimeEvent {
    const head = `{"collection":${JSON.stringify(change.collection)},"id":${JSON.stringify(change.id)}`;
    if (change.op === 'delete') return { id: change.seq, event: 'delete', data: `${head}}` };
    const { json, etag } = visibleJson(def, this.ctx, change.record);
    return {
      id: change.seq,
      event: change.op,
      data: `${head},"record":${json},"etag":${JSON.stringify(etag)}}`,
    };
  }
}
