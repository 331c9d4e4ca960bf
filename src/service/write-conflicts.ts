/** The 409s a write can meet: a unique value already held, a body id that is not the URL's, a second single record. */
import type { SingleViolation, UniqueViolation } from '../store/errors.js';
import { Problem } from '../util/problem.js';

/** The 409 for a unique field that another record already holds. */
export function uniqueProblem(error: UniqueViolation): Problem {
  return new Problem(
    'uniqueViolation',
    `Another record in ${error.collection} already has this ${error.field}.`,
    {
      errors: [
        { field: error.field, code: 'unique', message: 'must be unique: another record has this value' },
      ],
    },
  );
}

/** An id in the body that differs from the URL's is a conflict; an equal one is ignored. */
export function checkBodyId(body: Record<string, unknown>, id: string): void {
  if (Object.hasOwn(body, 'id') && body.id !== id) {
    throw new Problem(
      'idMismatch',
      `The body's id ${JSON.stringify(body.id)} differs from the URL's id "${id}".`,
    );
  }
}

/** The 409 for a second record in a `single: true` collection: change the one it holds instead. */
export function singleProblem(error: SingleViolation): Problem {
  const path = `/api/${error.collection}/${error.existing}`;
  return new Problem(
    'singleRecord',
    `${error.collection} holds one record at most, and has one ("${error.existing}"): change it with PUT or PATCH ${path} instead of creating another.`,
  );
}
