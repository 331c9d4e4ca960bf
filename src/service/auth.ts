/**
 * Accounts and sessions: register, log in (throttled, equal answers for an
 * unknown email and a wrong password), log out, and resolving a token to
 * its caller. Password hashing always happens outside a transaction.
 */
import type { Config } from '../config/types.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { RecordData } from '../schema/types.js';
import type { Store, StoreTx } from '../store/store.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { type FieldIssue, isProblem, Problem } from '../util/problem.js';
import { findCollection } from './collections.js';
import { type Caller, type RequestContext, SYSTEM_CONTEXT } from './context.js';
import { type AttemptOutcome, LoginThrottle } from './login-throttle.js';
import { checkPassword, hashPassword, verifyPassword } from './passwords.js';
import type { RecordWriter, WriteOutcome } from './record-writes.js';
import { newToken, tokenHash } from './sessions.js';
import { visibleJson, visibleRecord } from './visibility.js';
import type { WriteScope } from './write-scope.js';

export const USERS = 'users';

export interface AuthServiceDeps {
  store: Store;
  schema: ReadonlyMap<string, CompiledCollection>;
  config: Config;
  writer: RecordWriter;
  /** The clock; failed logins are counted in the store at its times. */
  now?: () => Date;
}

/** A session just opened: its token (handed out once) and the seconds it lives. */
export interface NewSession {
  token: string;
  maxAge: number;
}

export interface LoginResult extends NewSession {
  user: RecordData;
}

function invalidCredentials(): Problem {
  return new Problem('unauthorized', 'The email or password is incorrect.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="methodical"' },
  });
}

/** A prepared registration: the user's fields and the hash of their password. */
export interface Registration {
  values: Record<string, unknown>;
  passwordHash: string;
}

/** A duplicate email on register, said as what it means to the person registering. */
function accountExists(error: unknown): Problem | undefined {
  if (!isProblem(error) || error.code !== 'uniqueViolation' || error.errors?.[0]?.field !== 'email') return;
  return new Problem(
    'uniqueViolation',
    'An account with this email address already exists; sign in instead.',
    {
      errors: error.errors,
    },
  );
}

function asObject(body: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(body)) {
    throw new Problem('malformedJson', `The ${what} body must be a JSON object.`);
  }
  return body as Record<string, unknown>;
}

export class AuthService {
  private readonly now: () => Date;
  private readonly throttle: LoginThrottle;

  constructor(private readonly deps: AuthServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.throttle = new LoginThrottle(deps.config.auth.loginThrottle, deps.store);
  }

  private get users(): CompiledCollection {
    return findCollection(this.deps.schema, USERS);
  }

  /** Validate a registration (every problem at once) and hash its password, before any transaction. */
  async prepareRegistration(ctx: RequestContext, body: unknown): Promise<Registration> {
    const { password, ...rest } = asObject(body, 'registration');
    if (typeof rest.email === 'string') rest.email = rest.email.trim().toLowerCase();
    const issues: FieldIssue[] = [];
    let values: Record<string, unknown> = {};
    try {
      values = this.users.fromBody(rest);
    } catch (error) {
      if (!isProblem(error) || !error.errors) throw error;
      issues.push(...error.errors);
    }
    try {
      checkPassword(password);
    } catch (error) {
      if (!isProblem(error) || !error.errors) throw error;
      issues.push(...error.errors);
    }
    if (issues.length > 0) {
      throw new Problem('validation', 'The registration is invalid.', { errors: issues });
    }
    if (values.admin === true && !ctx.auth?.admin) {
      throw new Problem('forbidden', 'Only administrators may create administrators.');
    }
    return { values, passwordHash: await hashPassword(password as string) };
  }

  /** Create the user inside a write transaction. */
  async register(reg: Registration, scope: WriteScope): Promise<WriteOutcome> {
    const outcome = await this.deps.writer
      .create({ ctx: SYSTEM_CONTEXT, collection: USERS, body: reg.values, scope })
      .catch((error: unknown) => {
        throw accountExists(error) ?? error;
      });
    const user = outcome.record as RecordData;
    await scope.tx.setPasswordHash(USERS, user.id, reg.passwordHash);
    // The answer is the new user's own view of themselves (hidden fields are for administrators).
    return { ...outcome, ...visibleJson(this.users.def, this.selfContext(user), user) };
  }

  /** Register and sign the new user in: the session is stored in the transaction that creates the user. */
  async registerAndSignIn(
    reg: Registration,
    scope: WriteScope,
  ): Promise<{ outcome: WriteOutcome; session: NewSession }> {
    const outcome = await this.register(reg, scope);
    const session = await this.openSession(scope.tx, (outcome.record as RecordData).id, this.now());
    return { outcome, session };
  }

  /** A new session for a user, stored in `tx`; the token is handed out once and kept only as a hash. */
  private async openSession(tx: StoreTx, userId: string, now: Date): Promise<NewSession> {
    const token = newToken();
    const maxAge = this.deps.config.auth.sessionTtlSeconds;
    await tx.putSession({
      tokenHash: tokenHash(token),
      userId,
      created: now.toISOString(),
      expires: new Date(now.getTime() + maxAge * 1000).toISOString(),
    });
    return { token, maxAge };
  }

  /** Check credentials and open a new session. */
  async login(ctx: RequestContext, body: unknown): Promise<LoginResult> {
    const input = asObject(body, 'login');
    const missing = (['email', 'password'] as const).filter(
      (f) => typeof input[f] !== 'string' || input[f] === '',
    );
    if (missing.length > 0) {
      throw new Problem('validation', 'Send an email and a password.', {
        errors: missing.map((field) => ({ field, code: 'required', message: 'is required' })),
      });
    }
    const email = input.email as string;
    const password = input.password as string;
    const normalised = email.trim().toLowerCase();
    const attempt = await this.throttle.begin(normalised, ctx.ip, this.now().getTime());
    let outcome: AttemptOutcome = 'abandoned';
    try {
      const { userId, stored } = await this.deps.store.transaction(async (tx) => {
        const id = await tx.findIdBy(USERS, 'email', normalised);
        return { userId: id, stored: id ? await tx.getPasswordHash(USERS, id) : undefined };
      });
      const ok = await verifyPassword(stored, password);
      if (!ok || !userId) {
        outcome = 'failed';
        throw invalidCredentials();
      }
      outcome = 'succeeded';
      const now = this.now();
      const { user, session } = await this.deps.store.transaction(async (tx) => ({
        session: await this.openSession(tx, userId, now),
        user: await tx.get(USERS, userId),
      }));
      if (!user) throw invalidCredentials();
      return { ...session, user: visibleRecord(this.users.def, this.selfContext(user), user) };
    } finally {
      await attempt.settle(outcome);
    }
  }

  /** A user as the caller of their own requests. */
  private selfContext(user: RecordData): RequestContext {
    return { auth: { id: user.id, email: String(user.email), admin: user.admin === true }, ip: '' };
  }

  /** Revoke the session the caller used (nothing to do for an anonymous caller). */
  async logout(ctx: RequestContext): Promise<void> {
    const hash = ctx.sessionTokenHash;
    if (hash) await this.deps.store.transaction((tx) => tx.deleteSession(hash));
  }

  /** The caller a token stands for, or null when it is unknown, revoked or expired. */
  async authenticate(token: string): Promise<{ caller: Caller; tokenHash: string } | null> {
    const hash = tokenHash(token);
    const session = await this.deps.store.getSession(hash, this.now().toISOString());
    if (!session) return null;
    const user = await this.deps.store.get(USERS, session.userId);
    if (!user) return null;
    return {
      caller: { id: user.id, email: String(user.email), admin: user.admin === true },
      tokenHash: hash,
    };
  }

  /** The calling user's record; 401 for an anonymous caller. */
  async me(ctx: RequestContext): Promise<RecordData> {
    if (!ctx.auth) {
      throw new Problem('unauthorized', 'Log in to see your account.', {
        headers: { 'WWW-Authenticate': 'Bearer realm="methodical"' },
      });
    }
    const user = await this.deps.store.get(USERS, ctx.auth.id);
    if (!user) throw new Problem('unauthorized', 'The account no longer exists.');
    return visibleRecord(this.users.def, ctx, user);
  }

  /**
   * A new password in a users write, checked and hashed outside the
   * transaction: changing one's own password needs the current one in
   * `oldPassword` (a wrong one counts as a failed login); an admin may set
   * anyone's without it. `oldPassword` is never stored. `apply` stores
   * the hash and revokes the user's sessions but the caller's own.
   */
  async passwordChange(
    ctx: RequestContext,
    userId: string,
    body: Record<string, unknown>,
  ): Promise<{
    body: Record<string, unknown>;
    apply: ((scope: WriteScope) => Promise<void>) | null;
  }> {
    const { password, oldPassword, ...rest } = body;
    if (!Object.hasOwn(body, 'password')) return { body: rest, apply: null };
    const own = ctx.auth?.id === userId;
    const refusals: Problem[] = [];
    try {
      checkPassword(password);
    } catch (error) {
      if (!isProblem(error) || !error.errors) throw error;
      refusals.push(error);
    }
    // Administrators may set anyone's password, their own included, without the current one.
    const old = own && !ctx.auth?.admin ? await this.checkOldPassword(ctx, userId, oldPassword) : undefined;
    if (old) refusals.push(old);
    if (refusals.length > 0) {
      throw new Problem('validation', refusals.map((p) => p.detail).join(' '), {
        errors: refusals.flatMap((p) => p.errors ?? []),
      });
    }
    const hash = await hashPassword(password as string);
    const keep = own ? ctx.sessionTokenHash : undefined;
    return {
      body: rest,
      apply: async (scope) => {
        await scope.tx.setPasswordHash(USERS, userId, hash);
        await scope.tx.deleteSessionsOf(userId, keep);
      },
    };
  }

  /** The 422 for a missing or wrong current password, none when it is right. */
  private async checkOldPassword(
    ctx: RequestContext,
    userId: string,
    oldPassword: unknown,
  ): Promise<Problem | undefined> {
    if (typeof oldPassword !== 'string' || oldPassword === '') {
      return new Problem('validation', 'Send your current password in oldPassword to change it.', {
        errors: [
          { field: 'oldPassword', code: 'required', message: 'is required to change your own password' },
        ],
      });
    }
    const email = (ctx.auth?.email ?? '').toLowerCase();
    const attempt = await this.throttle.begin(email, ctx.ip, this.now().getTime());
    let outcome: AttemptOutcome = 'abandoned';
    try {
      const stored = await this.deps.store.transaction((tx) => tx.getPasswordHash(USERS, userId));
      outcome = (await verifyPassword(stored, oldPassword)) ? 'succeeded' : 'failed';
    } finally {
      await attempt.settle(outcome);
    }
    if (outcome === 'succeeded') return undefined;
    return new Problem('validation', 'oldPassword is not your current password.', {
      errors: [{ field: 'oldPassword', code: 'incorrect', message: 'is not your current password' }],
    });
  }

  /** Create a user from the shell (`methodical user create`). */
  async createUser(input: {
    email: string;
    password: string;
    admin: boolean;
    name?: string;
  }): Promise<RecordData> {
    const reg = await this.prepareRegistration(SYSTEM_CONTEXT, {
      email: input.email,
      password: input.password,
      admin: input.admin,
      ...(input.name ? { name: input.name } : {}),
    });
    return this.deps.store.transaction(async (tx) => {
      const outcome = await this.register(reg, { tx, afterCommit: [], depth: 0 });
      return outcome.record as RecordData;
    });
  }
}
