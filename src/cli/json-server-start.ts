/**
 * `methodical serve --json-server db.json`: the config inferred from the
 * file in memory (nothing written), and the file imported into the data
 * folder's database once, when that holds none of its records yet; after
 * that a restart serves what was written since, not the file again.
 */
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/types.js';
import { validateConfig } from '../config/validate.js';
import { compileSchema } from '../schema/compile-schema.js';
import { importData } from '../service/import-data.js';
import { ImportError, importPlan, importSummary } from '../service/import-plan.js';
import type { Store } from '../store/store.js';
import { inferFrom, readDbJson } from './db-json.js';
import { UsageError } from './usage-error.js';

export interface JsonServerStart {
  config: Config;
  data: unknown;
}

/** The file read and its config inferred; refusals are usage errors naming the file. */
export async function jsonServerConfig(file: string): Promise<JsonServerStart> {
  const data = await readDbJson('serve', file);
  const inferred = inferFrom('serve', file, data);
  return { config: validateConfig(inferred.config, file, dirname(resolve(file))), data };
}

/** Imports the file unless the database holds records of its collections; returns the one line to tell. */
export async function importOnFirstStart(
  store: Store,
  start: JsonServerStart,
  file: string,
): Promise<string> {
  const schema = compileSchema(start.config);
  const plan = importPlan(start.data, schema, false);
  for (const name of plan.collections.keys()) {
    const page = await store.list(name, { filter: null, sort: [], limit: 1, offset: 0, count: false });
    if (page.items.length > 0)
      return `methodical: the database holds records already: serving them, not ${file} again (start with an empty data folder to load the file anew)`;
  }
  let counts: Map<string, number>;
  try {
    counts = await importData(store, schema, plan, () => {});
  } catch (error) {
    if (error instanceof ImportError) throw new UsageError(`methodical serve: ${file}: ${error.message}`);
    throw error;
  }
  return `methodical: imported ${importSummary(plan, counts)} from ${file}; a restart serves what is written from now on, not the file again`;
}
