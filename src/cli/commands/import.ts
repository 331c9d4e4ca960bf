/**
 * `methodical import FILE.json [--collection-per-key]`: load a json-server
 * db.json, with a progress bar. Without a config file, one is inferred from
 * the data first, written (methodical.config.json, or where --config says)
 * and summed up, so the import can go ahead at once.
 */
import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { describeInferred } from '../../config/infer-config.js';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/types.js';
import { compileSchema } from '../../schema/compile-schema.js';
import { type ImportProgress, importData } from '../../service/import-data.js';
import { ImportError, importPlan } from '../../service/import-plan.js';
import { inferFrom, readDbJson } from '../db-json.js';
import { applyOnStart } from '../migrate-on-start.js';
import { existingConfigFile, openStore, type StoreFlags } from '../open-store.js';
import { DATABASE_FLAGS, parseFlags } from '../options.js';
import { UsageError } from '../usage-error.js';

/** One line per collection, redrawn in place on a terminal. */
function progressBar(stream: NodeJS.WriteStream): (p: ImportProgress) => void {
  return ({ collection, done, total }) => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const line = `${collection.padEnd(16)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
    if (stream.isTTY) stream.write(`\r${line}${done === total ? '\n' : ''}`);
    else if (done === total) stream.write(`${line}\n`);
  };
}

/** The config to import with: the one there is, or one inferred from the data, written and summed up on stdout. */
async function configFor(flags: StoreFlags, file: string, data: unknown): Promise<Config> {
  const existing = existingConfigFile(flags);
  if (existing) return loadConfig(existing);
  const target = resolve(flags.config ?? 'methodical.config.json');
  if (!target.endsWith('.json'))
    throw new UsageError(
      `methodical import: ${flags.config} does not exist, and an inferred config is written as JSON only: name a .json file`,
    );
  const inferred = inferFrom('import', file, data);
  await writeFile(target, `${JSON.stringify(inferred.config, null, 2)}\n`, { flag: 'wx' });
  const shown = relative(process.cwd(), target) || target;
  process.stdout.write(
    [
      `No config found: wrote ${shown}, inferred from ${file}:`,
      ...describeInferred(inferred, shown),
      '',
    ].join('\n'),
  );
  return loadConfig(target);
}

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'import',
    args,
    { ...DATABASE_FLAGS, 'collection-per-key': { type: 'boolean' } },
    1,
  );
  const file = positionals[0];
  if (!file)
    throw new UsageError('methodical import: name the JSON file to import, e.g. methodical import db.json');
  const data = await readDbJson('import', file);
  const config = await configFor(values, file, data);
  const store = await openStore(config, values);
  try {
    await applyOnStart(store, config.file);
    const schema = compileSchema(config);
    const plan = importPlan(data, schema, values['collection-per-key'] === true);
    for (const skipped of plan.skipped) process.stderr.write(`methodical import: left out ${skipped}\n`);
    const counts = await importData(store, schema, plan, progressBar(process.stderr));
    const summary = [...counts].map(([name, n]) => `${n} ${name}`).join(', ');
    process.stdout.write(`Imported ${summary || 'nothing'}.\n`);
    return 0;
  } catch (error) {
    if (error instanceof ImportError) throw new UsageError(`methodical import: ${file}: ${error.message}`);
    throw error;
  } finally {
    await store.close();
  }
}
