/** PATCH documents (RFC 7396 merge patch, RFC 6902 JSON Patch) applied to a stored record. */
import type { Limits } from '../config/types.js';
import type { RecordData } from '../schema/types.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { applyJsonPatch } from '../util/json-patch.js';
import { JsonPatchError, JsonPatchLimitError } from '../util/json-patch-error.js';
import { MAX_JSON_DEPTH } from '../util/json-size.js';
import { mergePatch } from '../util/merge-patch.js';
import { overLimit, Problem } from '../util/problem.js';

export interface PatchInput {
  kind: 'merge' | 'json-patch';
  document: unknown;
}

/** The config limits a patch runs within. */
export type PatchLimits = Pick<Limits, 'json' | 'patchOperations'>;

/**
 * What a JSON Patch's operations may copy, measure and compare in all, as a
 * multiple of limits.json: room for a test and a replace of a record's
 * largest field, not for a hundred passes over a large record.
 */
export const PATCH_WORK_FACTOR = 4;

/** Work left for the JSON Patches of one write transaction (a batch shares it). */
export interface PatchBudget {
  left: number;
}

/** The record's field values after the patch (system fields removed), not yet validated. */
export function applyPatch(
  current: RecordData,
  patch: PatchInput,
  limits: PatchLimits,
  /** The work the patches of one write (a batch: all of them) may still do; spent as they run. */
  budget: PatchBudget = { left: PATCH_WORK_FACTOR * limits.json },
): Record<string, unknown> {
  let result: unknown;
  if (patch.kind === 'merge') {
    if (!isPlainObject(patch.document)) {
      throw new Problem('badRequest', 'A merge patch (RFC 7396) for a record must be a JSON object.');
    }
    result = mergePatch(current, patch.document);
    if (Object.hasOwn(patch.document, 'id') && patch.document.id !== current.id) {
      throw new Problem(
        'idMismatch',
        `The patch sets id to ${JSON.stringify(patch.document.id)}, but ids cannot change.`,
      );
    }
  } else {
    const meter = { work: 0 };
    try {
      result = applyJsonPatch(
        current,
        patch.document,
        {
          operations: limits.patchOperations,
          bytes: limits.json,
          depth: MAX_JSON_DEPTH,
          work: budget.left,
        },
        meter,
      );
    } catch (error) {
      if (error instanceof JsonPatchLimitError) throw patchLimitProblem(error, patch.document, limits);
      if (!(error instanceof JsonPatchError)) throw error;
      if (error.kind === 'malformed') throw new Problem('badRequest', error.message);
      throw new Problem(error.kind === 'test' ? 'patchTestFailed' : 'patchConflict', error.message, {
        extra: { operation: error.index },
      });
    } finally {
      budget.left -= meter.work;
    }
    if (!isPlainObject(result)) {
      throw new Problem('validation', 'The patched document is not an object.', {
        errors: [{ field: '', code: 'type', message: 'must be an object' }],
      });
    }
    if (result.id !== current.id) {
      throw new Problem('idMismatch', 'The patch changes the id, but ids cannot change.');
    }
  }
  const fields = { ...(result as Record<string, unknown>) };
  delete fields.id;
  delete fields.created;
  delete fields.updated;
  return fields;
}

/** The problem for a JSON Patch over a bound: 413 for too many operations, else a 422 naming the operation. */
function patchLimitProblem(error: JsonPatchLimitError, document: unknown, limits: PatchLimits): Problem {
  const operation = error.index;
  const extra = { operation };
  switch (error.bound) {
    case 'operations':
      return overLimit(
        'payloadTooLarge',
        `This JSON Patch holds ${(document as unknown[]).length} operations, more than the ` +
          `${limits.patchOperations} operations a JSON Patch may hold (limits.patchOperations).`,
        'limits.patchOperations',
      );
    case 'bytes':
      return overLimit(
        'limitExceeded',
        `Operation ${operation} would make the record larger than the ${limits.json} bytes ` +
          'a record may hold as JSON (limits.json); nothing was changed.',
        'limits.json',
        { extra },
      );
    case 'depth':
      return overLimit(
        'limitExceeded',
        `Operation ${operation} would nest the record more than ${MAX_JSON_DEPTH} levels deep, ` +
          'the most a JSON body may have; nothing was changed.',
        'maxJsonDepth',
        { extra },
      );
    default:
      return overLimit(
        'limitExceeded',
        `Operation ${operation} would take this JSON Patch past the ${PATCH_WORK_FACTOR * limits.json} bytes ` +
          `of JSON (${PATCH_WORK_FACTOR} × limits.json) one request's patches may copy, remove, replace ` +
          'and test (a batch shares it); split them into smaller requests. Nothing was changed.',
        'limits.json',
        { extra },
      );
  }
}
