/** `methodical import FILE.json [--collection-per-key]`: load a json-server db.json, with a progress bar. */
import { readFile } from 'node:fs/promises';
import { compileSchema } from '../../schema/compile-schema.js';
import { ImportError, type ImportProgress, importData, importPlan } from '../../service/import-export.js';
import { applyOnStart } from '../migrate-on-start.js';
import { configFrom, openStore } from '../open-store.js';
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
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`methodical import: ${file}: ${(error as Error).message}`);
  }
  const config = await configFrom(values);
  const store = await openStore(config, values);
  try {
    await applyOnStart(store, config.file);
    const plan = importPlan(data, values['collection-per-key'] === true);
    const counts = await importData(store, compileSchema(config), plan, progressBar(process.stderr));
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
