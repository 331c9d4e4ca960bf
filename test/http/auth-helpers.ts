/**
 * Shared helpers for the users, sessions and rules suites: an app whose
 * responses are recorded (for the leak scan), registering and logging in
 * users, admins made through the store, and callers as request headers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import type { RecordData } from '../../src/schema/types.js';
import { tokenHash } from '../../src/service/sessions.js';
import { json, type TestApp, type TestAppOptions, testApp } from '../harness.js';

export const SESSION_COOKIE = 'methodical_session';
export const WWW_AUTHENTICATE = 'Bearer realm="methodical"';

/** Everything the server said in this test file (bodies and headers), for the leak scan. */
const said: string[] = [];
/** Every password this test file sent. */
const passwords = new Set<string>();

/**
 * Remember a password so the leak scan looks for it; returns it. Strings
 * shorter than the minimum are never stored as passwords (and `''` is in
 * every text), so they are not scanned for.
 */
export function secret(password: string): string {
  if ([...password].length >= 8) passwords.add(password);
  return password;
}

/** Record output that did not come through `t.request` (e.g. a CLI's stdout). */
export function recordOutput(text: string): void {
  said.push(text);
}

/** A test app whose every response goes into the leak scan. */
export async function authApp(config: UserConfig, options: TestAppOptions = {}): Promise<TestApp> {
  const t = await testApp(config, options);
  const inject = t.request;
  t.request = async (o: InjectOptions) => {
    const res = await inject(o);
    said.push(res.body, JSON.stringify(res.headers));
    return res;
  };
  return t;
}

/** Declare, last in a file, the test that scans every recorded response for passwords and hashes. */
export function leakScan(): void {
  test('no response leaked a password or a password hash', () => {
    assert.ok(said.length > 0, 'responses were recorded');
    assert.ok(passwords.size > 0, 'passwords were recorded');
    for (const text of said) {
      assert.ok(!text.includes('$argon2'), `a hash leaked: ${text.slice(0, 200)}`);
      for (const p of passwords) assert.ok(!text.includes(p), `password ${p} leaked: ${text.slice(0, 200)}`);
    }
  });
}

/** The password the helpers use for an email. */
export function passwordOf(email: string): string {
  return secret(`pw-${email.toLowerCase()}-S3cret`);
}

export interface User {
  id: string;
  email: string;
  password: string;
  token: string;
  admin: boolean;
}

export async function register(
  t: TestApp,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  if (typeof body.password === 'string') secret(body.password);
  return t.request({ method: 'POST', url: '/api/auth/register', payload: body, headers });
}

export async function login(
  t: TestApp,
  email: string,
  password: string,
  options: Pick<InjectOptions, 'headers' | 'remoteAddress'> = {},
): Promise<LightMyRequestResponse> {
  secret(password);
  return t.request({ method: 'POST', url: '/api/auth/login', payload: { email, password }, ...options });
}

/** Make a user an administrator directly in the store (there is no API for the first admin). */
export async function makeAdmin(t: TestApp, id: string): Promise<void> {
  await t.store.transaction(async (tx) => {
    const user = await tx.get('users', id);
    assert.ok(user, `user ${id} exists`);
    await tx.update('users', { ...user, admin: true });
  });
}

/** Register a user (an admin when asked), log in and return their token. */
export async function registerAndLogin(t: TestApp, email: string, admin = false): Promise<User> {
  const password = passwordOf(email);
  const reg = await register(t, { email, password });
  assert.equal(reg.statusCode, 201, reg.body);
  const id = json(reg).id as string;
  if (admin) await makeAdmin(t, id);
  const res = await login(t, email, password);
  assert.equal(res.statusCode, 200, res.body);
  return { id, email: email.toLowerCase(), password, token: json(res).token as string, admin };
}

/** Headers that authenticate as a user with their bearer token (none for anonymous). */
export function bearer(user: User | null): Record<string, string> {
  return user ? { authorization: `Bearer ${user.token}` } : {};
}

/** The live session behind a token, straight from the store. */
export function sessionOf(t: TestApp, token: string, at = new Date()) {
  return t.store.getSession(tokenHash(token), at.toISOString());
}

/** Insert a record straight into the store (no rules), with every given field. */
export async function seed(
  t: TestApp,
  collection: string,
  values: Record<string, unknown>,
  id = `r${Math.random().toString(36).slice(2, 12)}`,
): Promise<RecordData> {
  const stamp = new Date().toISOString();
  const fields = Object.keys(t.config.collections[collection].fields);
  const record: Record<string, unknown> = { id };
  for (const f of fields) record[f] = values[f] ?? null;
  Object.assign(record, { created: stamp, updated: stamp });
  await t.store.transaction((tx) => tx.insert(collection, record as RecordData));
  return record as RecordData;
}

/** The Set-Cookie header of the session cookie, as sent. */
export function sessionSetCookie(res: LightMyRequestResponse): string {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const found = all.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  assert.ok(found, `a ${SESSION_COOKIE} cookie is set: ${JSON.stringify(raw)}`);
  return found;
}

/** The attributes of a Set-Cookie header, lowercased names (`secure`, `path`…) to their values. */
export function cookieAttributes(setCookie: string): Map<string, string> {
  const [, ...parts] = setCookie.split(';');
  return new Map(
    parts.map((p) => {
      const [k, ...v] = p.trim().split('=');
      return [k.toLowerCase(), v.join('=')];
    }),
  );
}

/** Names in a Vary header, lowercased. */
export function varyOf(res: LightMyRequestResponse): string[] {
  return String(res.headers.vary ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/** The login-throttle scenarios' clock start and small limits (a window of a minute, slow-down 20 s). */
export const THROTTLE_START = Date.parse('2030-06-01T12:00:00Z');
export const THROTTLE_WINDOW = 60;
export const THROTTLE_SLOW_DOWN = 20;
export const THROTTLE_LIMITS = {
  perEmail: 3,
  perAddress: 5,
  perEmailTotal: 6,
  window: THROTTLE_WINDOW,
  slowDown: THROTTLE_SLOW_DOWN,
};
