/**
 * `methodical import FILE.json [--collection-per-key]`: load a json-server
 * db.json, with a progress bar. Without a config file, one is inferred from
 * the data first, written (methodical.config.json, or where --config says)
 * and summed up, so the import can go ahead at once.
 */
import { rm, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { describeInferred } from '../../config/infer-config.js';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/types.js';
import { compileSchema } from '../../schema/compile-schema.js';
import { type ImportProgress, importData } from '../../service/import-data.js';
import { ImportError, importPlan, importSummary } from '../../service/import-plan.js';
import type { Store } from '../../store/store.js';
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

/**
 * The config to import with: the one there is, or one inferred from the
 * data, written and summed up on stdout (`written` names that file).
 */
async function configFor(
  flags: StoreFlags,
  file: string,
  data: unknown,
): Promise<{ config: Config; written?: string }> {
  const existing = existingConfigFile(flags);
  if (existing) return { config: await loadConfig(existing) };
  const target = resolve(flags.config ?? 'methodical.config.json');
  if (!target.endsWith('.json'))
    throw new UsageError(
      `methodical import: ${flags.config} does not exist, and an inferred config is written as JSON only: name a .json file`,
    );
  const inferred = inferFrom('import', file, data);
  try {
    await writeFile(target, `${JSON.stringify(inferred.config, null, 2)}\n`, { flag: 'wx' });
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (error as Error).message;
    throw new UsageError(`methodical import: cannot write the inferred config to ${target}: ${reason}`);
  }
  const shown = relative(process.cwd(), target) || target;
  process.stdout.write(
    [
      `No config found: wrote ${shown}, inferred from ${file}:`,
      ...describeInferred(inferred, shown),
      '',
    ].join('\n'),
  );
  return { config: await loadConfig(target), written: shown };
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
  const { config, written } = await configFor(values, file, data);
  let store: Store | undefined;
  try {
    store = await openStore(config, values);
    await applyOnStart(store, config.file);
    const schema = compileSchema(config);
    const plan = importPlan(data, schema, values['collection-per-key'] === true);
    for (const skipped of plan.skipped) process.stderr.write(`methodical import: left out ${skipped}\n`);
    const counts = await importData(store, schema, plan, progressBar(process.stderr));
    process.stdout.write(`Imported ${importSummary(plan, counts)}.\n`);
    return 0;
  } catch (error) {
    // All or nothing: a config inferred for an import that did not happen is not left behind.
    if (written) await rm(written, { force: true });
    const dropped = written ? ` (nothing was imported, and ${written} was removed again)` : '';
    if (error instanceof ImportError)
      throw new UsageError(`methodical import: ${file}: ${error.message}${dropped}`);
    if (error instanceof Error && dropped) error.message += dropped;
    throw error;
  } finally {
    await store?.close();
  }
}
