/**
 * RFC 6902 JSON Patch, applied to a copy: either every operation applies
 * or an error says which one failed and why, and the input is untouched.
 */
import { jsonEqual } from './canonical-json.js';
import { defineOwn } from './merge-patch.js';

export class JsonPatchError extends Error {
  constructor(
    /** `test` failed (409), or the operation cannot apply (409), or the document is malformed (400). */
    readonly kind: 'test' | 'conflict' | 'malformed',
    readonly index: number,
    message: string,
  ) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

type Json = unknown;
interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** Apply a JSON Patch document to a deep copy of `doc`. */
export function applyJsonPatch(doc: Json, patch: unknown): Json {
  if (!Array.isArray(patch))
    throw new JsonPatchError('malformed', -1, 'A JSON Patch document must be an array.');
  let root = structuredClone(doc);
  patch.forEach((raw, index) => {
    const op = checkOperation(raw, index);
    root = applyOne(root, op, index);
  });
  return root;
}

function checkOperation(raw: unknown, index: number): Operation {
  const fail = (m: string) => new JsonPatchError('malformed', index, `Operation ${index}: ${m}`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail('must be an object.');
  const op = raw as Record<string, unknown>;
  if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op.op as string)) {
    throw fail('"op" must be one of add, remove, replace, move, copy, test.');
  }
  if (typeof op.path !== 'string') throw fail('"path" must be a string.');
  if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string')
    throw fail('"from" must be a string.');
  if (['add', 'replace', 'test'].includes(op.op as string) && !Object.hasOwn(op, 'value')) {
    throw fail('"value" is required.');
  }
  return op as unknown as Operation;
}

function parsePointer(pointer: string, index: number): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new JsonPatchError('malformed', index, `Operation ${index}: "${pointer}" is not a JSON Pointer.`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function getAt(root: Json, tokens: string[], index: number): Json {
  let node = root;
  for (const token of tokens) {
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(token) && Number(token) < node.length) {
      node = node[Number(token)];
    } else if (isObject(node) && Object.hasOwn(node, token)) {
      node = node[token];
    } else {
      throw new JsonPatchError(
        'conflict',
        index,
        `Operation ${index}: path "/${tokens.join('/')}" does not exist.`,
      );
    }
  }
  return node;
}

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function applyOne(root: Json, op: Operation, index: number): Json {
  const tokens = parsePointer(op.path, index);
  switch (op.op) {
    case 'test':
      if (!jsonEqual(getAt(root, tokens, index), op.value)) {
        throw new JsonPatchError('test', index, `Operation ${index}: test of "${op.path}" failed.`);
      }
      return root;
    case 'add':
      return add(root, tokens, structuredClone(op.value), index);
    case 'remove':
      return remove(root, tokens, index);
    case 'replace':
      return add(remove(root, tokens, index), tokens, structuredClone(op.value), index);
    case 'copy': {
      const value = structuredClone(getAt(root, parsePointer(op.from as string, index), index));
      return add(root, tokens, value, index);
    }
    default: {
      const from = parsePointer(op.from as string, index);
      if (tokens.length > from.length && from.every((t, i) => tokens[i] === t)) {
        throw new JsonPatchError('conflict', index, `Operation ${index}: cannot move a value into itself.`);
      }
      const value = getAt(root, from, index);
      return add(remove(root, from, index), tokens, value, index);
    }
  }
}

function add(root: Json, tokens: string[], value: Json, index: number): Json {
  if (tokens.length === 0) return value;
  const parent = getAt(root, tokens.slice(0, -1), index);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const position = last === '-' ? parent.length : Number(last);
    if (!/^(0|[1-9][0-9]*|-)$/.test(last) || position > parent.length) {
      throw new JsonPatchError('conflict', index, `Operation ${index}: index "${last}" is out of range.`);
    }
    parent.splice(position, 0, value);
  } else if (isObject(parent)) {
    defineOwn(parent, last, value);
  } else {
    throw new JsonPatchError('conflict', index, `Operation ${index}: cannot add to a non-container.`);
  }
  return root;
}

function remove(root: Json, tokens: string[], index: number): Json {
  if (tokens.length === 0) return null;
  getAt(root, tokens, index);
  const parent = getAt(root, tokens.slice(0, -1), index);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, Json>)[last];
  return root;
}
