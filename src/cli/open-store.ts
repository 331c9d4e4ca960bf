/** Finding the config and opening the database, shared by every command that needs them. */
import { resolve } from 'node:path';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { LocalFileStorage } from '../files/local/local-storage.js';
import type { FileStorage } from '../files/storage.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { UsageError } from './usage-error.js';

export interface StoreFlags {
  config?: string;
  data?: string;
  database?: string;
}

/** The config named by --config, or the one in the current folder. */
export async function configFrom(flags: StoreFlags): Promise<Config> {
  const file = flags.config ? resolve(flags.config) : findConfigFile(process.cwd());
  return loadConfig(file);
}

/** The store the flags (or DATABASE_URL) select: SQLite in the data folder by default. */
export async function openStore(config: Config, flags: StoreFlags): Promise<Store> {
  const url = flags.database ?? process.env.DATABASE_URL;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new UsageError(`--database must be a postgres:// URL, not "${url}"`);
    }
    throw new UsageError(
      '--database: PostgreSQL support is not available in this version yet; omit it to use SQLite.',
    );
  }
  const dataDir = resolve(flags.data ?? 'data');
  return new SqliteStore({
    path: resolve(dataDir, 'methodical.db'),
    collections: config.collections,
    durability: config.durability,
  });
}

/** Uploaded files: a folder inside the data folder. */
export function openFiles(flags: StoreFlags): FileStorage {
  return new LocalFileStorage(resolve(flags.data ?? 'data', 'files'));
}
