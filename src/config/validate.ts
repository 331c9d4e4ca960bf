/**
 * Validates a user config once at start-up: every problem is collected and
 * thrown at the end as one ConfigError, each naming its path. The result has
 * every default filled in and is deep-frozen, so every layer reads the same
 * settled values.
 */

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_MAX_FILTER_TERMS } from '../query/list-params.js';
import { isPlainObject } from '../util/is-plain-object.js';
import type { ErrorPageHandler, SeedHandler } from './app-types.js';
import { at, Checker, listWords, type RawObject } from './checker.js';
import { deepFreeze } from './deep-freeze.js';
import type { CollectionHooks, Config, Durability, HookFn, HookName, Limits, Timeouts } from './types.js';
import { validateCollections } from './validate-collections.js';
import { DEFAULT_REALTIME, validateRealtime } from './validate-realtime.js';
import { validateRoutes } from './validate-routes.js';

const TOP_KEYS = [
  'collections',
  'routes',
  'public',
  'trustProxy',
  'publicUrl',
  'trustedOrigins',
  'cors',
  'jsonServer',
  'idempotency',
  'realtime',
  'limits',
  'timeouts',
  'durability',
  'auth',
  'hooks',
  'errorPage',
  'seed',
];
const HOOK_NAMES: readonly HookName[] = [
  'beforeCreate',
  'beforeUpdate',
  'beforeDelete',
  'afterCreate',
  'afterUpdate',
  'afterDelete',
];
const MiB = 1024 * 1024;
const KiB = 1024;
const DEFAULT_LIMITS: Limits = {
  json: MiB,
  multipart: 256 * MiB,
  parts: 100,
  fieldSize: MiB,
  batch: 100,
  patchOperations: 100,
  filterTerms: DEFAULT_MAX_FILTER_TERMS,
  expand: 1000,
  response: 32 * MiB,
  connections: 10_000,
  url: 8 * KiB,
  headers: 16 * KiB,
};
const DEFAULT_TIMEOUTS: Timeouts = { headers: 10, body: 20, bodyRate: 1024, idle: 72 };
const DURABILITY: readonly Durability[] = ['full', 'normal'];
const DAY = 86400;

function publicDir(c: Checker, value: unknown, dir: string): string | undefined {
  if (value === undefined) return undefined;
  const folder = c.string(value, 'public');
  const absolute = resolve(dir, folder);
  const stat = statSync(absolute, { throwIfNoEntry: false });
  if (stat === undefined) c.fail('public', `folder "${folder}" does not exist (looked for ${absolute})`);
  if (!stat.isDirectory()) c.fail('public', `"${folder}" is not a folder (${absolute})`);
  return absolute;
}

function httpUrl(c: Checker, value: unknown, path: string): URL {
  const text = c.string(value, path);
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return c.expected(path, 'an absolute http or https URL like "https://api.example.com"', value);
  }
  return url;
}

function publicUrl(c: Checker, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const url = httpUrl(c, value, 'publicUrl');
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    c.fail('publicUrl', 'must be a base URL without credentials, query or fragment');
  }
  return value as string;
}

/** A list of origins (scheme://host[:port], no path); `*` only where `star` allows it. */
function origins(c: Checker, value: unknown, path: string, star: boolean): string[] {
  const list = c.strings(value, path);
  list.forEach((origin, i) => {
    const item = `${path}[${i}]`;
    if (origin === '*' && star) return;
    if (httpUrl(c, origin, item).origin !== origin) {
      c.fail(
        item,
        `"${origin}" is not an origin; write scheme://host[:port] with no path, e.g. https://a.example`,
      );
    }
  });
  return list;
}

function corsOrigins(c: Checker, value: unknown): string[] {
  if (value === undefined) return [];
  const raw = c.object(value, 'cors', ['origins']);
  if (raw.origins === undefined) return [];
  return origins(c, raw.origins, 'cors.origins', true);
}

function limits(c: Checker, value: unknown): Limits {
  const raw = value === undefined ? {} : c.object(value, 'limits', Object.keys(DEFAULT_LIMITS));
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    if (raw[key] !== undefined) out[key] = c.integer(raw[key], at('limits', key), 1);
  }
  return out;
}

function timeouts(c: Checker, value: unknown): Timeouts {
  const raw = value === undefined ? {} : c.object(value, 'timeouts', Object.keys(DEFAULT_TIMEOUTS));
  const seconds = (key: 'headers' | 'body' | 'idle') =>
    raw[key] === undefined ? DEFAULT_TIMEOUTS[key] : c.duration(raw[key], at('timeouts', key));
  return {
    headers: seconds('headers'),
    body: seconds('body'),
    bodyRate:
      raw.bodyRate === undefined
        ? DEFAULT_TIMEOUTS.bodyRate
        : c.integer(raw.bodyRate, 'timeouts.bodyRate', 1),
    idle: seconds('idle'),
  };
}

function durability(c: Checker, value: unknown): Durability {
  if (value === undefined) return 'full';
  if (typeof value === 'string' && (DURABILITY as readonly string[]).includes(value))
    return value as Durability;
  return c.expected('durability', `${listWords(DURABILITY.map((d) => JSON.stringify(d)))}`, value);
}

function auth(c: Checker, value: unknown): Config['auth'] {
  const raw = value === undefined ? {} : c.object(value, 'auth', ['sessionTtl', 'loginThrottle']);
  const throttle: RawObject =
    raw.loginThrottle === undefined
      ? {}
      : c.object(raw.loginThrottle, 'auth.loginThrottle', [
          'perEmail',
          'perAddress',
          'perEmailTotal',
          'window',
          'slowDown',
        ]);
  const count = (key: string, fallback: number) =>
    throttle[key] === undefined ? fallback : c.integer(throttle[key], `auth.loginThrottle.${key}`, 1);
  return {
    sessionTtlSeconds:
      raw.sessionTtl === undefined ? 14 * DAY : c.duration(raw.sessionTtl, 'auth.sessionTtl'),
    loginThrottle: {
      perEmail: count('perEmail', 10),
      perAddress: count('perAddress', 50),
      windowSeconds:
        throttle.window === undefined ? 600 : c.duration(throttle.window, 'auth.loginThrottle.window'),
      perEmailTotal: count('perEmailTotal', 100),
      slowDownSeconds: slowDown(c, throttle.slowDown),
    },
  };
}

/** The slow-down for an email under attack from many addresses: never more than a minute. */
function slowDown(c: Checker, value: unknown): number {
  if (value === undefined) return 60;
  const seconds = c.duration(value, 'auth.loginThrottle.slowDown');
  if (seconds > 60) c.fail('auth.loginThrottle.slowDown', `must be at most 60 seconds, found ${seconds}`);
  return seconds;
}

function idempotencyTtl(c: Checker, value: unknown): number {
  const raw = value === undefined ? {} : c.object(value, 'idempotency', ['ttl']);
  return raw.ttl === undefined ? DAY : c.duration(raw.ttl, 'idempotency.ttl');
}

/** Code in the config (hooks, errorPage, seed) needs a TS or JS config: JSON cannot hold functions. */
function needsCode(c: Checker, path: string, what: string): void {
  if (c.file.endsWith('.json'))
    c.fail(path, `${what} a TS or JS config (methodical.config.ts); JSON cannot hold functions`);
}

/** An optional top-level function: `errorPage`, `seed`. */
function topFunction<T>(c: Checker, value: unknown, path: string): T | undefined {
  if (value === undefined) return undefined;
  needsCode(c, path, `${path} is a function, which needs`);
  if (typeof value !== 'function') return c.expected(path, 'a function', value);
  return value as T;
}

function hooks(c: Checker, value: unknown, collections: readonly string[]): Record<string, CollectionHooks> {
  const out: Record<string, CollectionHooks> = Object.create(null);
  if (value === undefined) return out;
  needsCode(c, 'hooks', 'hooks need');
  const raw = c.object(value, 'hooks');
  for (const [name, entry] of Object.entries(raw)) {
    const path = at('hooks', name);
    c.collect(undefined, () => {
      if (!collections.includes(name)) c.fail(path, `there is no collection "${name}" to hook into`);
      const fns = c.object(entry, path, HOOK_NAMES);
      const collectionHooks: CollectionHooks = {};
      for (const hook of HOOK_NAMES) {
        const fn = fns[hook];
        if (fn === undefined) continue;
        c.collect(undefined, () => {
          if (typeof fn !== 'function') c.expected(at(path, hook), 'a function', fn);
          collectionHooks[hook] = fn as HookFn;
        });
      }
      out[name] = collectionHooks;
    });
  }
  return out;
}

/** The collection names written in the config, whatever their definitions hold. */
function declaredNames(value: unknown): string[] {
  return isPlainObject(value) ? Object.keys(value) : [];
}

/** Checks a loaded config (parsed JSON or a module's export) and returns the frozen Config. */
export function validateConfig(input: unknown, file: string, dir: string): Config {
  const c = new Checker(file);
  const root = c.object(input, '', TOP_KEYS);
  // Each part is checked even when another failed (`collect`); every problem is thrown at the end.
  const part = c.collect.bind(c);
  const collections = part(Object.create(null), () => validateCollections(c, root.collections));
  // Every collection written, even one with a problem, so nothing is reported as unknown twice.
  const names = [...new Set([...Object.keys(collections), ...declaredNames(root.collections)])];
  const routes = part({ aliases: [], handlers: [] }, () => validateRoutes(c, root.routes, names));
  const config: Config = {
    file,
    dir,
    collections,
    routes: routes.aliases,
    customRoutes: routes.handlers,
    publicDir: part(undefined, () => publicDir(c, root.public, dir)),
    trustProxy: part(false, () =>
      root.trustProxy === undefined ? false : c.boolean(root.trustProxy, 'trustProxy'),
    ),
    publicUrl: part(undefined, () => publicUrl(c, root.publicUrl)),
    trustedOrigins: part([], () =>
      root.trustedOrigins === undefined ? [] : origins(c, root.trustedOrigins, 'trustedOrigins', false),
    ),
    cors: { origins: part([], () => corsOrigins(c, root.cors)) },
    jsonServer: part(false, () =>
      root.jsonServer === undefined ? false : c.boolean(root.jsonServer, 'jsonServer'),
    ),
    idempotency: { ttlSeconds: part(DAY, () => idempotencyTtl(c, root.idempotency)) },
    realtime: part(DEFAULT_REALTIME, () => validateRealtime(c, root.realtime)),
    limits: part(DEFAULT_LIMITS, () => limits(c, root.limits)),
    timeouts: part(DEFAULT_TIMEOUTS, () => timeouts(c, root.timeouts)),
    durability: part<Durability>('full', () => durability(c, root.durability)),
    auth: part(undefined as unknown as Config['auth'], () => auth(c, root.auth)),
    hooks: part(Object.create(null), () => hooks(c, root.hooks, names)),
    errorPage: part(undefined, () => topFunction<ErrorPageHandler>(c, root.errorPage, 'errorPage')),
    seed: part(undefined, () => topFunction<SeedHandler>(c, root.seed, 'seed')),
  };
  c.finish();
  // Absent optional keys are left out rather than set to undefined, so the Config prints cleanly.
  if (config.publicDir === undefined) delete config.publicDir;
  if (config.publicUrl === undefined) delete config.publicUrl;
  if (config.errorPage === undefined) delete config.errorPage;
  if (config.seed === undefined) delete config.seed;
  return deepFreeze(config);
}
