/**
 * The rules matrix fixture: one collection per rule kind (the same rule for
 * every operation), callers in a fixed order, and the expected statuses from
 * PRODUCT.md, Details: Users, rules, sessions.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import type { RecordData } from '../../src/schema/types.js';
import type { TestApp } from '../harness.js';
import { registerAndLogin, type User, WWW_AUTHENTICATE } from './auth-helpers.js';
import { assertProblem } from './helpers.js';

export const EXPRESSION = 'owner = @auth.id || published = true';

export const KINDS = ['public', 'auth', 'owner', 'admin', 'nobody', 'expression'] as const;
export type Kind = (typeof KINDS)[number];
export const CALLERS = ['anonymous', 'owner', 'other', 'admin'] as const;
export type CallerName = (typeof CALLERS)[number];
export type Operation = 'list' | 'view' | 'create' | 'update' | 'delete';

const FIELDS = {
  title: { type: 'text', required: true },
  published: { type: 'boolean' },
  owner: { type: 'relation', collection: 'users' },
} as const;

function every(rule: string) {
  return { list: rule, view: rule, create: rule, update: rule, delete: rule };
}

/** The collection that applies one rule kind to every operation. */
export function collectionOf(kind: Kind): string {
  return `by_${kind}`;
}

export const RULES_CONFIG: UserConfig = {
  collections: {
    ...Object.fromEntries(
      KINDS.map((kind) => [
        collectionOf(kind),
        { fields: FIELDS, rules: every(kind === 'expression' ? EXPRESSION : kind) },
      ]),
    ),
    // Readable by everyone, changeable by the owner: others get 403, not 404.
    shelf: {
      fields: { title: FIELDS.title },
      rules: { list: 'public', view: 'public', create: 'auth', update: 'owner', delete: 'owner' },
    },
    // Readable through an expression, changeable only by the owner.
    journal: {
      fields: FIELDS,
      rules: { ...every(EXPRESSION), update: 'owner = @auth.id', delete: 'owner = @auth.id' },
    },
    // An expression that does not use @auth: anonymous callers are filtered, not refused.
    bulletin: { fields: FIELDS, rules: every('published = true') },
  },
};

/** Statuses per caller, in CALLERS order. */
type Row = readonly [number, number, number, number];

/** Expected statuses for the owner's unpublished record (list and create are not record-specific). */
export const EXPECTED: Record<Kind, Record<Operation, Row>> = {
  public: {
    list: [200, 200, 200, 200],
    view: [200, 200, 200, 200],
    create: [201, 201, 201, 201],
    update: [200, 200, 200, 200],
    delete: [204, 204, 204, 204],
  },
  auth: {
    list: [401, 200, 200, 200],
    view: [401, 200, 200, 200],
    create: [401, 201, 201, 201],
    update: [401, 200, 200, 200],
    delete: [401, 204, 204, 204],
  },
  owner: {
    list: [401, 200, 200, 200],
    view: [401, 200, 404, 200],
    create: [401, 201, 201, 201],
    update: [401, 200, 404, 200],
    delete: [401, 204, 404, 204],
  },
  admin: {
    list: [401, 403, 403, 200],
    view: [401, 403, 403, 200],
    create: [401, 403, 403, 201],
    update: [401, 403, 403, 200],
    delete: [401, 403, 403, 204],
  },
  nobody: {
    list: [403, 403, 403, 403],
    view: [403, 403, 403, 403],
    create: [403, 403, 403, 403],
    update: [403, 403, 403, 403],
    delete: [403, 403, 403, 403],
  },
  expression: {
    list: [401, 200, 200, 200],
    view: [401, 200, 404, 200],
    create: [401, 201, 201, 201],
    update: [401, 200, 404, 200],
    delete: [401, 204, 404, 204],
  },
};

export interface Cast {
  owner: User;
  other: User;
  admin: User;
}

/** The three users every rules file needs: two ordinary users and an administrator. */
export async function castOf(t: TestApp): Promise<Cast> {
  return {
    owner: await registerAndLogin(t, 'owner@example.com'),
    other: await registerAndLogin(t, 'other@example.com'),
    admin: await registerAndLogin(t, 'admin@example.com', true),
  };
}

export function callerOf(cast: Cast, name: CallerName): User | null {
  return name === 'anonymous' ? null : cast[name];
}

/** Whether a caller should see a record in a list under a rule kind. */
export function listable(kind: Kind, caller: User | null, record: RecordData): boolean {
  if (kind === 'owner') return caller?.admin === true || record.owner === caller?.id;
  if (kind === 'expression')
    return caller?.admin === true || record.owner === caller?.id || record.published === true;
  return true;
}

/** WWW-Authenticate for a bearer token that is unknown, expired or revoked: the same challenge as every 401. */
export const INVALID_TOKEN = WWW_AUTHENTICATE;

/** Asserts a refusal: the problem, and WWW-Authenticate on a 401 (and only there). */
export function assertRefused(
  res: LightMyRequestResponse,
  status: number,
  challenge = WWW_AUTHENTICATE,
): void {
  assertProblem(res, status);
  if (status === 401) assert.equal(res.headers['www-authenticate'], challenge);
  else assert.equal(res.headers['www-authenticate'], undefined);
}
