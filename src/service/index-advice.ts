/**
 * Start-up notes for the reads the config asks for that no index serves:
 * a `list` rule filtering on a field no index starts with (so every list
 * under that rule reads every row), and relations holding several ids
 * (deleting a target then looks at every row: no index looks inside a
 * JSON array). Only what the config shows; a per-request note would be
 * noise. view, update and delete rules add to a lookup by id, which the
 * primary key serves, so only `list` counts.
 */
import type { Expr } from '../query/ast.js';
import { parseFilter } from '../query/parser.js';
import type { CollectionDef } from '../schema/types.js';
import { tableModel } from '../store/table-model.js';

/** Comparisons an index range can answer; `!=`, `~` and `!~` read every row with or without one. */
const RANGE_OPS = new Set(['=', '>', '>=', '<', '<=']);

/** The fields some index starts with: id, created, unique fields, single relations, declared indexes. */
function leadingFields(def: CollectionDef): Set<string> {
  const model = tableModel(def);
  const out = new Set(['id', 'created']);
  for (const column of model.columns) if (column.unique || column.indexed) out.add(column.name);
  for (const index of model.indexes) out.add(index.keys[0].column);
  return out;
}

/**
 * The fields whose missing index makes `expr` read every row (none when
 * some index narrows it): an AND needs one side served, an OR both.
 */
function unserved(expr: Expr, indexed: ReadonlySet<string>): string[] {
  if (expr.kind === 'and') {
    const left = unserved(expr.left, indexed);
    const right = unserved(expr.right, indexed);
    return left.length === 0 || right.length === 0 ? [] : [...left, ...right];
  }
  if (expr.kind === 'or') return [...unserved(expr.left, indexed), ...unserved(expr.right, indexed)];
  const fields = [expr.left, expr.right].filter((side) => side.kind === 'field');
  // No field: a condition on the caller alone (`@auth.admin = true`), the same for every row.
  if (fields.length === 0) return [];
  if (!RANGE_OPS.has(expr.op)) return [];
  return fields.some((f) => indexed.has(f.name)) ? [] : fields.map((f) => f.name);
}

function ruleExpr(rule: string): Expr | null {
  if (rule === 'owner') return parseFilter('owner = @auth.id');
  if (['public', 'auth', 'admin', 'nobody'].includes(rule)) return null;
  return parseFilter(rule);
}

/** One line per unserved read the config implies, saying how to declare the index. */
export function indexNotes(collections: Readonly<Record<string, CollectionDef>>): string[] {
  const notes: string[] = [];
  for (const def of Object.values(collections)) {
    const expr = ruleExpr(def.rules.list);
    if (expr) {
      const fields = [...new Set(unserved(expr, leadingFields(def)))];
      if (fields.length > 0) {
        const names = fields.map((f) => `"${f}"`).join(', ');
        const declare = fields.map((f) => `["${f}"]`).join(', ');
        notes.push(
          `${def.name}: the list rule filters on ${names}, which no index serves, so each list reads every row; ` +
            `declare "indexes": [${declare}] on ${def.name}`,
        );
      }
    }
    for (const [name, field] of Object.entries(def.fields)) {
      if (field.type !== 'relation' || field.multiple !== true) continue;
      notes.push(
        `${def.name}.${name}: a relation holding several ids has no index, so deleting a ${field.collection} ` +
          `record reads every ${def.name} row to find the ones that point to it`,
      );
    }
  }
  return notes;
}
