/** PATCH documents (RFC 7396 merge patch, RFC 6902 JSON Patch) applied to a stored record. */
import type { RecordData } from '../schema/types.js';
import { applyJsonPatch, JsonPatchError } from '../util/json-patch.js';
import { mergePatch } from '../util/merge-patch.js';
import { Problem } from '../util/problem.js';

export interface PatchInput {
  kind: 'merge' | 'json-patch';
  document: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The record's field values after the patch (system fields removed), not yet validated. */
export function applyPatch(current: RecordData, patch: PatchInput): Record<string, unknown> {
  let result: unknown;
  if (patch.kind === 'merge') {
    if (!isObject(patch.document)) {
      throw new Problem('badRequest', 'A merge patch (RFC 7396) for a record must be a JSON object.');
    }
    result = mergePatch(current, patch.document);
    if (Object.hasOwn(patch.document, 'id') && patch.document.id !== current.id) {
      throw new Problem(
        'idConflict',
        `The patch sets id to ${JSON.stringify(patch.document.id)}, but ids cannot change.`,
      );
    }
  } else {
    try {
      result = applyJsonPatch(current, patch.document);
    } catch (error) {
      if (!(error instanceof JsonPatchError)) throw error;
      if (error.kind === 'malformed') throw new Problem('badRequest', error.message);
      throw new Problem(error.kind === 'test' ? 'patchTestFailed' : 'patchConflict', error.message, {
        extra: { operation: error.index },
      });
    }
    if (!isObject(result)) {
      throw new Problem('validation', 'The patched document is not an object.', {
        errors: [{ field: '', code: 'type', message: 'must be an object' }],
      });
    }
    if (result.id !== current.id) {
      throw new Problem('idConflict', 'The patch changes the id, but ids cannot change.');
    }
  }
  const fields = { ...(result as Record<string, unknown>) };
  delete fields.id;
  delete fields.created;
  delete fields.updated;
  return fields;
}
