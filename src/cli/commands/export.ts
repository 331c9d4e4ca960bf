/** `methodical export [--out FILE]`: every collection as JSON (with `jsonServer: true`, as the db.json it came from). */
import { writeFile } from 'node:fs/promises';
import { compileSchema } from '../../schema/compile-schema.js';
import { exportData } from '../../service/export-data.js';
import { configFrom, openStore } from '../open-store.js';
import { DATABASE_FLAGS, parseFlags } from '../options.js';

export async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseFlags('export', args, { ...DATABASE_FLAGS, out: { type: 'string' } });
  const config = await configFrom(values);
  const store = await openStore(config, values);
  try {
    const json = `${JSON.stringify(await exportData(store, compileSchema(config), { jsonServer: config.jsonServer }), null, 2)}\n`;
    if (values.out) {
      await writeFile(values.out, json);
      process.stderr.write(`Wrote ${values.out}.\n`);
    } else {
      process.stdout.write(json);
    }
    return 0;
  } finally {
    await store.close();
  }
}
