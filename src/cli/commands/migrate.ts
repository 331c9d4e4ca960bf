/** `methodical migrate [--dry-run] [--allow-destructive]`: print the plan, then apply it. */
import type { MigrationStep } from '../../store/store.js';
import { configFrom, openStore } from '../open-store.js';
import { DATABASE_FLAGS, parseFlags } from '../options.js';

function printPlan(steps: readonly MigrationStep[]): void {
  if (steps.length === 0) {
    process.stdout.write('The database is up to date with the config.\n');
    return;
  }
  process.stdout.write('Plan:\n');
  for (const step of steps) {
    process.stdout.write(`  ${step.destructive ? '!' : '+'} ${step.description}\n`);
  }
}

/** Returns the exit code: 0 done, 1 refused (destructive changes without the flag). */
export async function migrate(args: string[]): Promise<number> {
  const { values } = parseFlags('migrate', args, {
    ...DATABASE_FLAGS,
    'dry-run': { type: 'boolean' },
    'allow-destructive': { type: 'boolean' },
  });
  const config = await configFrom(values);
  const store = await openStore(config, values);
  try {
    const steps = await store.planMigration();
    printPlan(steps);
    if (values['dry-run'] || steps.length === 0) return 0;
    const destructive = steps.filter((s) => s.destructive);
    if (destructive.length > 0 && !values['allow-destructive']) {
      process.stderr.write(
        `methodical migrate: refusing ${destructive.length} destructive change(s) marked "!" (they drop data); nothing was changed. Run again with --allow-destructive to apply them.\n`,
      );
      return 1;
    }
    await store.migrate(steps, { allowDestructive: values['allow-destructive'] === true });
    process.stdout.write(`Applied ${steps.length} change(s).\n`);
    return 0;
  } finally {
    await store.close();
  }
}
