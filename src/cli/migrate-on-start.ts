/** Schema changes at start-up: additive ones are applied, destructive ones only reported. */
import type { Store } from '../store/store.js';

export async function applyOnStart(store: Store): Promise<void> {
  const steps = await store.planMigration();
  const safe = steps.filter((s) => !s.destructive);
  const held = steps.filter((s) => s.destructive);
  await store.migrate(safe);
  if (held.length > 0) {
    process.stderr.write(
      `methodical: not applied (would lose data): ${held.map((s) => s.description).join('; ')}. Run "methodical migrate --allow-destructive" to apply.\n`,
    );
  }
}
