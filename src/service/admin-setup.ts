/**
 * The first administrator, without a built-in password: when the server
 * starts with no admin it makes a one-time setup token and prints a link
 * with it; whoever holds the link may create the first admin within 24
 * hours. Only the token's SHA-256 hash is kept, as a store marker, so the
 * database alone never lets anyone in. The token has 256 random bits, so
 * guessing is hopeless; attempts still count against the login throttle
 * of the caller's address, so nobody can even try cheaply.
 */
import { parseFilter } from '../query/parser.js';
import type { RecordData } from '../schema/types.js';
import type { Store, StoreReader, StoreTx } from '../store/store.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { Problem } from '../util/problem.js';
import { type AuthService, type NewSession, type Registration, USERS } from './auth.js';
import { type RequestContext, SYSTEM_CONTEXT } from './context.js';
import type { LoginAttempt, LoginThrottle } from './login-throttle.js';
import type { WriteOutcome } from './record-writes.js';
import { newToken, tokenHash } from './sessions.js';
import type { WriteScope } from './write-scope.js';

/** How long a setup link works after the server printed it. */
export const SETUP_TTL_MS = 24 * 60 * 60 * 1000;

/** Markers: the token's hash when it was made, and again once it has been used. */
const ISSUED = 'admin-setup:';
const USED = 'admin-setup-used:';
/** The counter bucket every setup holds while it checks "no admin yet", so two cannot both pass. */
const SERIAL_BUCKET = 'admin-setup';
/** The throttle's "email" for setup attempts: not an email anyone can have, so no account is slowed. */
const THROTTLE_KEY = '\u0000admin-setup';

const ADMIN_FILTER = parseFilter('admin = true');

/** Whether any user is an administrator. */
export async function hasAdmin(reader: StoreReader): Promise<boolean> {
  const found = await reader.list(USERS, {
    filter: ADMIN_FILTER,
    sort: [],
    limit: 1,
    offset: 0,
    count: false,
  });
  return found.items.length > 0;
}

/** A new setup token when there is no admin yet (kept as a marker of its hash), else undefined. */
export async function issueSetupToken(store: Store, now = new Date()): Promise<string | undefined> {
  return store.transaction(async (tx) => {
    if (await hasAdmin(tx)) return undefined;
    const token = newToken();
    await tx.setMarker(ISSUED + tokenHash(token), now.toISOString());
    return token;
  });
}

/** A checked setup request: the token's hash and the admin to register. */
export interface PreparedSetup {
  hash: string;
  registration: Registration;
}

export interface AdminSetupDeps {
  store: Store;
  auth: AuthService;
  throttle: LoginThrottle;
  now?: () => Date;
}

function refused(detail: string): Problem {
  return new Problem('forbidden', detail);
}

export class AdminSetup {
  private readonly now: () => Date;

  constructor(private readonly deps: AdminSetupDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Let an attempt from the caller's address through the login throttle (429 when over it). */
  begin(ctx: RequestContext): Promise<LoginAttempt> {
    return this.deps.throttle.begin(THROTTLE_KEY, ctx.ip, this.now().getTime());
  }

  /**
   * Check the token (cheaply, before any password is hashed) and prepare the
   * admin like a registration: 403 for a token that does not work, 409 once
   * an admin exists, 422 for an invalid email or password.
   */
  async prepare(body: unknown): Promise<PreparedSetup> {
    if (!isPlainObject(body)) throw new Problem('malformedJson', 'The setup body must be a JSON object.');
    const { token, ...rest } = body as Record<string, unknown>;
    if (typeof token !== 'string' || token === '') {
      throw new Problem('validation', 'Send the token from the setup link.', {
        errors: [{ field: 'token', code: 'required', message: 'is required' }],
      });
    }
    const hash = tokenHash(token);
    await this.deps.store.transaction((tx) => this.check(tx, hash));
    const registration = await this.deps.auth.prepareRegistration(SYSTEM_CONTEXT, { ...rest, admin: true });
    return { hash, registration };
  }

  /** Create the admin and sign them in, in the write's transaction, checked again under the setup lock. */
  async complete(
    prepared: PreparedSetup,
    scope: WriteScope,
  ): Promise<{ outcome: WriteOutcome; session: NewSession }> {
    const { tx } = scope;
    const now = this.now();
    // Holds the bucket until commit, on every node: a concurrent setup waits here and then sees this admin.
    await tx.hits(SERIAL_BUCKET, now.toISOString());
    await this.check(tx, prepared.hash);
    const signedIn = await this.deps.auth.registerAndSignIn(prepared.registration, scope);
    await tx.setMarker(USED + prepared.hash, now.toISOString());
    if ((signedIn.outcome.record as RecordData | undefined)?.admin !== true) {
      throw new Error('the first administrator was created without admin');
    }
    return signedIn;
  }

  /** 403 unless the token was issued here less than 24 hours ago and not used; 409 once there is an admin. */
  private async check(tx: StoreTx, hash: string): Promise<void> {
    const issued = await tx.getMarker(ISSUED + hash);
    if (issued === undefined) {
      throw refused(
        'This setup link is not valid. Use the link the server printed when it started, ' +
          'or create an administrator with: methodical user create --email … --password … --admin',
      );
    }
    if (await hasAdmin(tx)) {
      throw new Problem('conflict', 'An administrator exists already: sign in at /_/');
    }
    if ((await tx.getMarker(USED + hash)) !== undefined) {
      throw refused('This setup link has been used already. Restart the server for a new one.');
    }
    if (this.now().getTime() - Date.parse(issued) >= SETUP_TTL_MS) {
      throw refused(
        'This setup link has expired (links work for 24 hours). Restart the server for a new one.',
      );
    }
  }
}
