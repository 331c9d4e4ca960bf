/** Finding the config and opening the database, shared by every command that needs them. */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_FILE_NAMES, findConfigFile, loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { LocalFileStorage } from '../files/local/local-storage.js';
import { PostgresFileStorage } from '../files/postgres/postgres-storage.js';
import type { FileStorage } from '../files/storage.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { redactUrl } from './banner.js';
import { UsageError } from './usage-error.js';

export interface StoreFlags {
  config?: string;
  data?: string;
  database?: string;
}

/** The config file --config names, or the first in the current folder; undefined when there is none. */
export function existingConfigFile(flags: StoreFlags): string | undefined {
  const candidates = flags.config ? [resolve(flags.config)] : CONFIG_FILE_NAMES.map((n) => resolve(n));
  return candidates.find((file) => existsSync(file));
}

/** The config named by --config, or the one in the current folder. */
export async function configFrom(flags: StoreFlags): Promise<Config> {
  const file = flags.config ? resolve(flags.config) : findConfigFile(process.cwd());
  return loadConfig(file);
}

/**
 * PostgreSQL at a URL (libpq's `?options=-c search_path=…` picks a schema),
 * reached once before anything else runs, so a wrong URL stops the command
 * with the server's reason instead of failing its first request.
 */
export async function openPostgres(url: string, config: Config): Promise<Store> {
  const store = new PostgresStore({ url, collections: config.collections });
  try {
    await store.health();
  } catch (error) {
    await store.close().catch(() => {});
    const reason = (error as Error)?.message || String(error);
    throw new Error(`cannot use the PostgreSQL database at ${redactUrl(url)}: ${reason}`, { cause: error });
  }
  return store;
}

/** The store the flags (or DATABASE_URL) select: SQLite in the data folder by default, PostgreSQL at a postgres:// URL. */
export async function openStore(config: Config, flags: StoreFlags): Promise<Store> {
  const url = flags.database ?? process.env.DATABASE_URL;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new UsageError(`--database must be a postgres:// URL, not "${url}"`);
    }
    return openPostgres(url, config);
  }
  const dataDir = resolve(flags.data ?? 'data');
  return new SqliteStore({
    path: resolve(dataDir, 'methodical.db'),
    collections: config.collections,
    durability: config.durability,
  });
}

export interface FilesFlags extends StoreFlags {
  /** Where uploaded files go: a folder (a shared disk), instead of the default. */
  files?: string;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * Uploaded files: the --files folder when given; otherwise in the database
 * when it is PostgreSQL (shared by every node), or files/ in the data folder.
 */
export function openFiles(flags: FilesFlags): FileStorage {
  if (flags.files !== undefined) {
    if (flags.files === '') throw new UsageError('--files must name a folder');
    return new LocalFileStorage(resolve(flags.files));
  }
  const url = flags.database ?? process.env.DATABASE_URL;
  if (url && POSTGRES_URL.test(url)) return new PostgresFileStorage({ url });
  return new LocalFileStorage(resolve(flags.data ?? 'data', 'files'));
}
