/**
 * Signing a user out everywhere: every session of theirs is revoked in one
 * transaction. Admins may do it to anyone, users to themselves (their
 * current session ends too); whoever may not view the user gets the 404
 * the users collection's view rule gives, so it tells nobody who exists.
 */
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { Store } from '../store/store.js';
import { Problem, WWW_AUTHENTICATE } from '../util/problem.js';
import { USERS } from './auth.js';
import { findCollection } from './collections.js';
import type { RequestContext } from './context.js';
import { access } from './rules.js';

export async function signOutEverywhere(
  deps: { store: Store; schema: ReadonlyMap<string, CompiledCollection> },
  ctx: RequestContext,
  userId: string,
): Promise<void> {
  if (!ctx.auth) {
    throw new Problem('unauthorized', 'Sign in to sign a user out everywhere.', {
      headers: { 'WWW-Authenticate': WWW_AUTHENTICATE },
    });
  }
  const caller = ctx.auth;
  const { def } = findCollection(deps.schema, USERS);
  const view = access(def, 'view', ctx);
  await deps.store.transaction(async (tx) => {
    const user = await tx.get(USERS, userId, view.kind === 'filter' ? view.filter : null);
    if (!user) throw new Problem('notFound', `No record "${userId}" in ${USERS}.`);
    // A config may let more people view users; signing one out stays with admins and the user.
    if (!caller.admin && caller.id !== userId) {
      throw new Problem(
        'forbidden',
        'Only administrators and the user themself may sign a user out everywhere.',
      );
    }
    await tx.deleteSessionsOf(userId);
  });
}
