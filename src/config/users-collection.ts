/** The built-in `users` auth collection: its own fields and its default rules. */
import type { FieldDef, Rule, RuleOperation } from '../schema/types.js';

/** Fields every users collection has; a config may add others but not redeclare these. */
export const USER_FIELDS: Readonly<Record<string, FieldDef>> = {
  email: { type: 'email', required: true, unique: true },
  name: { type: 'text', max: 200 },
  admin: { type: 'boolean', default: false },
};

/** Names a config may not declare on users: the built-ins, and `password` and `oldPassword`, which auth keeps apart. */
export const RESERVED_USER_FIELDS: readonly string[] = [
  ...Object.keys(USER_FIELDS),
  'password',
  'oldPassword',
];

const SELF_OR_ADMIN = 'id = @auth.id || @auth.admin = true';

/** Users see and change themselves; admins see everyone; sign-up goes through /api/auth/register. */
export const USER_RULES: Readonly<Record<RuleOperation, Rule>> = {
  list: 'admin',
  view: SELF_OR_ADMIN,
  update: SELF_OR_ADMIN,
  delete: SELF_OR_ADMIN,
  create: 'nobody',
};
