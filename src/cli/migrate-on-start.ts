/**
 * Schema changes at start-up: additive ones are applied; a destructive one
 * refuses the start (exit 2, every such change listed, nothing applied), so
 * the server never serves a config that the database does not match.
 */
import type { Store } from '../store/store.js';
import { UsageError } from './usage-error.js';

/** Throws a UsageError (exit 2) listing every destructive change; the caller closes the store. */
export async function applyOnStart(store: Store, configFile: string): Promise<void> {
  const steps = await store.planMigration();
  const held = steps.filter((s) => s.destructive);
  if (held.length > 0) {
    throw new UsageError(
      [
        `methodical: ${configFile}: the database does not match the config, and changing it would lose data:`,
        ...held.map((s) => `  ! ${s.description}`),
        'Nothing was changed. Change the config back, or run "methodical migrate --allow-destructive" to apply these changes.',
      ].join('\n'),
    );
  }
  await store.migrate(steps);
}
