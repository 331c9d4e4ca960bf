/**
 * Whether the caller may change one record: the rules of its collection
 * checked against the stored record, inside a write's transaction, or
 * ahead of it to refuse an upload before a byte of it is stored.
 */
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { RecordData } from '../schema/types.js';
import type { StoreReader } from '../store/store.js';
import { Problem } from '../util/problem.js';
import type { RequestContext } from './context.js';
import { access } from './rules.js';

/**
 * The stored record if the caller may view it (else it does not exist for
 * them: 404), after checking they may also change it (403); undefined when
 * there is no such record.
 */
export async function viewableForChange(
  reader: StoreReader,
  ctx: RequestContext,
  compiled: CompiledCollection,
  id: string,
  operation: 'update' | 'delete',
): Promise<RecordData | undefined> {
  const { def } = compiled;
  const record = await reader.get(def.name, id);
  if (!record) return undefined;
  const view = access(def, 'view', ctx);
  if (view.kind === 'filter' && !(await reader.get(def.name, id, view.filter))) {
    throw new Problem('notFound', `No record "${id}" in ${def.name}.`);
  }
  const change = access(def, operation, ctx);
  if (change.kind === 'filter' && !(await reader.get(def.name, id, change.filter))) {
    throw new Problem('forbidden', `You may view this record but not ${operation} it.`);
  }
  return record;
}

/**
 * Before a multipart body is read: refuse (401, 403, 404) a caller whom the
 * rules would refuse anyway, so no upload of theirs ever reaches the disk.
 * A POST creates; a PUT (`id`) replaces the record if there is one, else
 * creates it; a PATCH (`patch`) changes a record that must exist. The write
 * checks again in its transaction; this only decides earlier what it would
 * decide then.
 */
export async function checkBeforeUpload(
  reader: StoreReader,
  ctx: RequestContext,
  compiled: CompiledCollection,
  id?: string,
  patch = false,
): Promise<void> {
  // As the write does: a record-independent refusal first, so it never reveals whether the id exists.
  if (patch) access(compiled.def, 'update', ctx);
  const current = id === undefined ? undefined : await viewableForChange(reader, ctx, compiled, id, 'update');
  if (current) return;
  if (patch) throw new Problem('notFound', `No record "${id}" in ${compiled.def.name}.`);
  access(compiled.def, 'create', ctx);
}
