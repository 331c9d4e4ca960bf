/**
 * A JSON document being patched: a private copy, its JSON size kept up to
 * date operation by operation (never by serialising it again), and the
 * work spent on it. A copy stops the moment it would outgrow what is left
 * of the size budget, so a patch that doubles the document with every
 * operation costs at most that budget.
 */
import { jsonEqual } from './canonical-json.js';
import { isPlainObject } from './is-plain-object.js';
import {
  type JsonPatchBound,
  JsonPatchError,
  JsonPatchLimitError,
  type JsonPatchLimits,
} from './json-patch-error.js';
import { cloneWithin, JsonBudgetExceeded, jsonBytes, jsonStringBytes, measureWithin } from './json-size.js';
import { defineOwn } from './merge-patch.js';

type Json = unknown;

/** Where an `add` puts its value: what it costs in separators and key, and what it replaces. */
interface Slot {
  overhead: number;
  replaces: boolean;
  old?: Json;
  put(value: Json): void;
}

/** One patch being applied: the copy, its JSON size so far, and the work spent on it. */
export class PatchedDocument {
  root: Json;
  private size: number;
  private work = 0;
  private index = -1;
  /** Member counts of the copy's objects, so an operation never has to count an object's keys again. */
  private readonly counts = new WeakMap<object, number>();

  constructor(
    doc: Json,
    private readonly limits: JsonPatchLimits,
  ) {
    // The document is copied once, whole: the bounds are on what the operations do to it.
    const copy = cloneWithin(doc, { maxBytes: Infinity, maxDepth: Infinity, counts: this.counts });
    this.root = copy.value;
    this.size = copy.bytes;
  }

  /** Bytes of JSON the operations have copied, measured and compared so far. */
  get spent(): number {
    return this.work;
  }

  /** The operation that runs next, named in every error. */
  at(index: number): void {
    this.index = index;
  }

  /** Throws when the document has grown past its size bound. */
  checkSize(): void {
    if (this.size > this.limits.bytes) throw this.over('bytes');
  }

  /** `test`: the value at `path` equals `value` (`raw` is the path as sent, for the message). */
  test(path: string[], value: Json, raw: string): void {
    const target = this.get(path);
    this.measure(target);
    this.measure(value);
    if (!jsonEqual(target, value)) {
      throw new JsonPatchError('test', this.index, `Operation ${this.index}: test of "${raw}" failed.`);
    }
  }

  /** `add`: a copy of `source` (of `sourceBytes` when known) at `path`, inserted into an array or set in an object. */
  add(path: string[], source: Json, sourceBytes?: number): void {
    if (path.length === 0) {
      const copy = this.copyIn(source, this.limits.bytes, 0);
      this.root = copy.value;
      this.size = copy.bytes;
      return;
    }
    const slot = this.slot(path);
    const freed = slot.replaces ? this.measure(slot.old) : 0;
    const room = this.limits.bytes - (this.size - freed) - slot.overhead;
    // A value whose size is known already and does not fit is refused without being walked.
    if (sourceBytes !== undefined && sourceBytes > room) throw this.over('bytes');
    const copy = this.copyIn(source, room, path.length);
    slot.put(copy.value);
    this.size += slot.overhead + copy.bytes - freed;
  }

  /** `copy`: a copy of the value at `from`, added at `path`. */
  copy(from: string[], path: string[]): void {
    // The whole document's size is the one tracked: a copy of all of it is checked before any walk.
    this.add(path, this.get(from), from.length === 0 ? this.size : undefined);
  }

  /** `remove`: the value at `path` taken out. */
  remove(path: string[]): void {
    if (path.length === 0) {
      this.root = null;
      this.size = 4;
      return;
    }
    const bytes = this.measure(this.get(path));
    this.size -= this.detach(path) + bytes;
  }

  /** `replace`: the existing value at `path` replaced by a copy of `value`. */
  replace(path: string[], value: Json): void {
    const freed = this.measure(this.get(path));
    const copy = this.copyIn(value, this.limits.bytes - (this.size - freed), path.length);
    if (path.length === 0) this.root = copy.value;
    else {
      const parent = this.get(path.slice(0, -1));
      const last = path[path.length - 1];
      if (Array.isArray(parent)) parent[Number(last)] = copy.value;
      else defineOwn(parent as Record<string, Json>, last, copy.value);
    }
    this.size += copy.bytes - freed;
  }

  /** `move`: the value at `from` taken out and added at `path`. */
  move(from: string[], path: string[]): void {
    if (path.length > from.length && from.every((t, i) => path[i] === t)) {
      throw this.conflict('cannot move a value into itself.');
    }
    const value = this.get(from);
    if (path.length === 0) {
      this.root = value;
      this.size = this.measure(value);
      return;
    }
    // Moved no deeper than it was, a value cannot make the document deeper; moved deeper, it is measured.
    if (path.length > from.length) this.fits(value, path.length);
    const lost = this.detach(from);
    const slot = this.slot(path);
    const freed = slot.replaces ? this.measure(slot.old) : 0;
    slot.put(value);
    // The value's own bytes leave one place and arrive at the other.
    this.size += slot.overhead - lost - freed;
  }

  /** The value at a path, or a conflict naming the path. */
  private get(tokens: string[]): Json {
    let node = this.root;
    for (const token of tokens) {
      if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(token) && Number(token) < node.length) {
        node = node[Number(token)];
      } else if (isPlainObject(node) && Object.hasOwn(node, token)) {
        node = node[token];
      } else {
        throw this.conflict(`path "${pointer(tokens)}" does not exist.`);
      }
    }
    return node;
  }

  /** Where an add at `path` goes, checked, without changing anything yet. */
  private slot(path: string[]): Slot {
    const parent = this.get(path.slice(0, -1));
    const last = path[path.length - 1];
    if (Array.isArray(parent)) {
      const position = last === '-' ? parent.length : Number(last);
      if (!/^(0|[1-9][0-9]*|-)$/.test(last) || position > parent.length) {
        throw this.conflict(`index "${last}" is out of range.`);
      }
      const overhead = parent.length > 0 ? 1 : 0;
      return { overhead, replaces: false, put: (value) => parent.splice(position, 0, value) };
    }
    if (!isPlainObject(parent)) throw this.conflict('cannot add to a non-container.');
    if (Object.hasOwn(parent, last)) {
      return {
        overhead: 0,
        replaces: true,
        old: parent[last],
        put: (value) => defineOwn(parent, last, value),
      };
    }
    const count = this.keyCount(parent);
    return {
      overhead: jsonStringBytes(last) + 1 + (count > 0 ? 1 : 0),
      replaces: false,
      put: (value) => {
        defineOwn(parent, last, value);
        this.counts.set(parent, count + 1);
      },
    };
  }

  /** Take the (existing) value at `path` out of its parent; returns the separator and key bytes it leaves. */
  private detach(path: string[]): number {
    const parent = this.get(path.slice(0, -1));
    const last = path[path.length - 1];
    if (Array.isArray(parent)) {
      const overhead = parent.length > 1 ? 1 : 0;
      parent.splice(Number(last), 1);
      return overhead;
    }
    const object = parent as Record<string, Json>;
    const count = this.keyCount(object);
    delete object[last];
    this.counts.set(object, count - 1);
    return jsonStringBytes(last) + 1 + (count > 1 ? 1 : 0);
  }

  private keyCount(object: Record<string, Json>): number {
    let count = this.counts.get(object);
    if (count === undefined) {
      count = Object.keys(object).length;
      this.charge(count);
      this.counts.set(object, count);
    }
    return count;
  }

  /** A copy of `value` for a place `parentDepth` containers deep, with `room` bytes left for it. */
  private copyIn(value: Json, room: number, parentDepth: number) {
    const workLeft = this.limits.work - this.work;
    try {
      const copy = cloneWithin(value, {
        maxBytes: Math.min(room, workLeft),
        maxDepth: this.limits.depth - parentDepth,
        counts: this.counts,
      });
      this.charge(copy.bytes);
      return copy;
    } catch (error) {
      if (!(error instanceof JsonBudgetExceeded)) throw error;
      throw this.over(error.budget === 'depth' ? 'depth' : room <= workLeft ? 'bytes' : 'work');
    }
  }

  /** Throws unless `value` fits `parentDepth` containers deep. */
  private fits(value: Json, parentDepth: number): void {
    try {
      const measured = measureWithin(value, {
        maxBytes: this.limits.work - this.work,
        maxDepth: this.limits.depth - parentDepth,
      });
      this.charge(measured.bytes);
    } catch (error) {
      if (!(error instanceof JsonBudgetExceeded)) throw error;
      throw this.over(error.budget === 'depth' ? 'depth' : 'work');
    }
  }

  /** The JSON size of a value already in the document (or in the patch), counted as work. */
  private measure(value: Json): number {
    const bytes = jsonBytes(value);
    this.charge(bytes);
    return bytes;
  }

  private charge(bytes: number): void {
    this.work += bytes;
    if (this.work > this.limits.work) throw this.over('work');
  }

  private conflict(message: string): JsonPatchError {
    return new JsonPatchError('conflict', this.index, `Operation ${this.index}: ${message}`);
  }

  private over(bound: Exclude<JsonPatchBound, 'operations'>): JsonPatchLimitError {
    const { limits, index } = this;
    const what = {
      bytes: `the document would be larger than ${limits.bytes} bytes as JSON`,
      depth: `the document would be nested more than ${limits.depth} levels deep`,
      work: `the patch would copy, measure and compare more than ${limits.work} bytes of JSON`,
    }[bound];
    return new JsonPatchLimitError(bound, index, `Operation ${index}: ${what}.`);
  }
}

function pointer(tokens: string[]): string {
  return `/${tokens.join('/')}`;
}
