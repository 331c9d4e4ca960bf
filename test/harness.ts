/**
 * Builds an app in-process for tests: a config validated like a real one,
 * a SQLite file in a fresh temp folder, migrations applied.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyServerOptions, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import type { Config, UserConfig } from '../src/config/types.js';
import { validateConfig } from '../src/config/validate.js';
import { LocalFileStorage } from '../src/files/local/local-storage.js';
import type { FileStorage } from '../src/files/storage.js';
import { createApp } from '../src/http/app.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { recordResponse } from './http/openapi-recorder.js';

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  files: FileStorage;
  config: Config;
  dir: string;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** A movable clock for the service (idempotency TTL, timestamps). */
  now?: () => Date;
  /** A Fastify logger, to read what the server logs. */
  logger?: FastifyServerOptions['logger'];
  /** The folder for the database and files (default: a fresh temp folder); emptied by close(). */
  dir?: string;
}

function carriesCode(config: UserConfig): boolean {
  const handlers = Object.values(config.routes ?? {}).some((target) => typeof target === 'function');
  return (
    handlers || config.hooks !== undefined || config.errorPage !== undefined || config.seed !== undefined
  );
}

/** Test apps run on PostgreSQL (TEST_STORE=postgres with TEST_DATABASE_URL), else on SQLite files. */
export const ON_POSTGRES = process.env.TEST_STORE === 'postgres' && Boolean(process.env.TEST_DATABASE_URL);

/** Schemas made for PostgreSQL test stores, by store. */
const schemas = new WeakMap<Store, string>();

/**
 * The store of a test app: a SQLite file in `dir`, or with TEST_STORE=postgres
 * (and TEST_DATABASE_URL) a PostgreSQL schema of its own, dropped by close().
 */
async function openTestStore(config: Config, dir: string): Promise<Store> {
  const url = process.env.TEST_DATABASE_URL;
  if (process.env.TEST_STORE !== 'postgres' || !url) {
    return new SqliteStore({
      path: join(dir, 'data.db'),
      collections: config.collections,
      durability: config.durability,
    });
  }
  // The runner names its run in the prefix and drops what an app left behind (one never closed).
  const schema = `${process.env.TEST_SCHEMA_PREFIX ?? 'methodical_test_'}${randomBytes(6).toString('hex')}`;
  const store = new PostgresStore({ url, collections: config.collections, schema, poolSize: 4 });
  schemas.set(store, schema);
  return store;
}

async function dropTestSchema(store: Store): Promise<void> {
  const schema = schemas.get(store);
  if (schema === undefined) return;
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A fresh app over its own SQLite file (or PostgreSQL schema, see openTestStore). */
export async function testApp(userConfig: UserConfig, options: TestAppOptions = {}): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'methodical-test-'));
  // Hooks, handlers, the error page and the seed are functions, which only a TS/JS config can carry.
  const file = carriesCode(userConfig) ? 'test.config.ts' : 'test.config.json';
  const config = validateConfig(userConfig, file, dir);
  const store = await openTestStore(config, dir);
  await store.migrate(await store.planMigration());
  const files = new LocalFileStorage(join(dir, 'files'));
  const app = createApp({ config, store, files }, { now: options.now, logger: options.logger });
  await app.ready();
  return {
    app,
    store,
    files,
    config,
    dir,
    async request(o) {
      const res = await app.inject(o);
      recordResponse(app, config, o, res);
      return res;
    },
    async close() {
      await app.close();
      await store.close();
      await dropTestSchema(store);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PUBLIC_RULES = {
  list: 'public',
  view: 'public',
  create: 'public',
  update: 'public',
  delete: 'public',
};

/** The bookshop collections most scenarios use. */
export const BOOKS_CONFIG: UserConfig = {
  collections: {
    books: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        author: { type: 'text', required: true },
        year: { type: 'integer', min: 0 },
        isbn: { type: 'text', unique: true, pattern: '^[0-9-]{10,17}$' },
        genre: { type: 'select', values: ['fiction', 'science', 'history'] },
        inPrint: { type: 'boolean', default: true },
        tags: { type: 'json' },
      },
      rules: PUBLIC_RULES,
    },
    guarded: {
      fields: { name: { type: 'text', required: true } },
      rules: PUBLIC_RULES,
      requireIfMatch: true,
      requireIdempotencyKey: true,
    },
  },
};

/** JSON body of a response. */
export function json(res: LightMyRequestResponse): Record<string, unknown> {
  return JSON.parse(res.body);
}
