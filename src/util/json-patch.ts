/**
 * RFC 6902 JSON Patch, applied to a copy: either every operation applies
 * or an error says which one failed and why, and the input is untouched.
 * Every patch runs within bounds the caller gives: how many operations it
 * may hold (checked before any runs), how large and deep the document may
 * grow, and how much JSON its operations may copy, measure and compare.
 */

import { isPlainObject } from './is-plain-object.js';
import { JsonPatchError, JsonPatchLimitError, type JsonPatchLimits } from './json-patch-error.js';
import { PatchedDocument } from './patched-document.js';

type Json = unknown;
interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/**
 * Apply a JSON Patch document to a deep copy of `doc`, within `limits`;
 * the work it spent (applied or not) is added to `meter` when given.
 */
export function applyJsonPatch(
  doc: Json,
  patch: unknown,
  limits: JsonPatchLimits,
  meter?: { work: number },
): Json {
  if (!Array.isArray(patch))
    throw new JsonPatchError('malformed', -1, 'A JSON Patch document must be an array.');
  if (patch.length > limits.operations) {
    throw new JsonPatchLimitError(
      'operations',
      -1,
      `The patch holds ${patch.length} operations, more than the ${limits.operations} allowed.`,
    );
  }
  const document = new PatchedDocument(doc, limits);
  try {
    applyAll(document, patch);
  } finally {
    if (meter) meter.work += document.spent;
  }
  return document.root;
}

function applyAll(document: PatchedDocument, patch: unknown[]): void {
  patch.forEach((raw, index) => {
    const op = checkOperation(raw, index);
    const path = parsePointer(op.path, index);
    document.at(index);
    switch (op.op) {
      case 'test':
        document.test(path, op.value, op.path);
        break;
      case 'add':
        document.add(path, op.value);
        break;
      case 'remove':
        document.remove(path);
        break;
      case 'replace':
        document.replace(path, op.value);
        break;
      case 'copy':
        document.copy(parsePointer(op.from as string, index), path);
        break;
      default:
        document.move(parsePointer(op.from as string, index), path);
    }
    document.checkSize();
  });
}

function checkOperation(raw: unknown, index: number): Operation {
  const fail = (m: string) => new JsonPatchError('malformed', index, `Operation ${index}: ${m}`);
  if (!isPlainObject(raw)) throw fail('must be an object.');
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
