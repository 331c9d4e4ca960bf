/**
 * Saving the form through the public API, sending only what changed:
 * - no new file: a JSON create (POST, with an Idempotency-Key) or a JSON
 *   merge patch (PATCH with If-Match), which leaves every other field and
 *   file as it is;
 * - new files: the multipart write the API takes: a POST for a create, and
 *   for an edit a POST standing for PATCH (`_method=PATCH`, If-Match), a
 *   merge patch too, so fields and file fields the form leaves out are kept.
 *   A multiple file field lists the names it keeps as text parts beside the
 *   new files; a one-file field's new file replaces the old one.
 * A changed value that a form cannot carry (a json number, say) goes in a
 * JSON write first, and the files follow on the ETag that write answered.
 */
import { type ApiResponse, api, seg } from '../../api';
import type { CollectionInfo, FieldDef, RecordData } from '../../model';
import { type Draft, type FileDraft, formParts, fromDraft, sameDraft } from './drafts';

/** Problems found before anything is sent (a json field that does not parse), by field. */
export class LocalProblems extends Error {
  constructor(readonly fields: Record<string, string>) {
    super('Some fields need fixing before the record can be saved.');
  }
}

/**
 * A save whose JSON write went through but whose files were then refused:
 * the record exists (or has the other changes), without the new files.
 */
export class PartlySaved extends Error {
  constructor(
    readonly id: string,
    readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export interface SaveRequest {
  collection: CollectionInfo;
  /** null for a new record. */
  id: string | null;
  etag: string | null;
  drafts: Record<string, Draft>;
  initial: Record<string, Draft>;
  /**
   * The create's Idempotency-Key, one per new-record form: a save retried
   * after a lost answer replays the first create instead of making a second
   * record (a corrected body after a 422 still goes through: those are not kept).
   */
  createKey: string;
}

export interface Saved {
  id: string;
  /** Whether anything was sent at all. */
  sent: boolean;
}

const MERGE_PATCH = 'application/merge-patch+json';

function fileValue(def: FieldDef, draft: FileDraft): unknown {
  return def.multiple ? draft.kept : (draft.kept[0] ?? null);
}

export async function saveRecord(req: SaveRequest): Promise<Saved> {
  const { collection, id } = req;
  const values: Record<string, unknown> = {};
  const files: Record<string, FileDraft> = {};
  const problems: Record<string, string> = {};
  for (const [name, def] of Object.entries(collection.fields)) {
    const draft = req.drafts[name];
    if (draft === undefined || sameDraft(draft, req.initial[name])) continue;
    if (def.type === 'file') {
      const f = draft as FileDraft;
      if (f.added.length > 0) files[name] = f;
      else values[name] = fileValue(def, f);
      continue;
    }
    const parsed = fromDraft(def, draft);
    if (parsed.ok) values[name] = parsed.value;
    else problems[name] = parsed.message;
  }
  if (Object.keys(problems).length > 0) throw new LocalProblems(problems);

  const base = `/api/${seg(collection.name)}`;
  const hasFiles = Object.keys(files).length > 0;
  if (!hasFiles && id !== null && Object.keys(values).length === 0) return { id, sent: false };

  // What a form cannot carry goes first, as JSON; when there are no files that is everything.
  const inForm: Record<string, string[]> = {};
  const asJson: Record<string, unknown> = {};
  const parts = Object.entries(values).map(([name, value]) => {
    return [name, value, hasFiles ? formParts(collection.fields[name], value) : null] as const;
  });
  // A create makes the record whole in its first request (required fields), so it is all JSON then.
  const split = id === null && parts.some(([, , p]) => p === null);
  for (const [name, value, p] of parts) {
    if (p && !split) inForm[name] = p;
    else asJson[name] = value;
  }

  let current = id;
  let etag = req.etag;
  const jsonFirst = !hasFiles || Object.keys(asJson).length > 0;
  if (jsonFirst) {
    const res =
      current === null
        ? await api<RecordData>('POST', base, {
            json: asJson,
            headers: { 'idempotency-key': req.createKey },
          })
        : await api<RecordData>('PATCH', `${base}/${seg(current)}`, {
            json: asJson,
            contentType: MERGE_PATCH,
            headers: etag ? { 'if-match': etag } : {},
          });
    current = res.body.id;
    etag = await etagOf(res, `${base}/${seg(current)}`);
  }
  if (!hasFiles) return { id: current as string, sent: true };

  const form = new FormData();
  if (current !== null) form.append('_method', 'PATCH');
  for (const [name, parts] of Object.entries(inForm)) for (const p of parts) form.append(name, p);
  for (const [name, f] of Object.entries(files)) {
    // Kept names first: for a multiple field the value is kept + new, in that order.
    if (collection.fields[name].multiple) for (const kept of f.kept) form.append(name, kept);
    for (const file of f.added) form.append(name, file, file.name);
  }
  if (current === null) {
    const res = await api<RecordData>('POST', base, { form, headers: { 'idempotency-key': req.createKey } });
    return { id: res.body.id, sent: true };
  }
  try {
    await api<RecordData>('POST', `${base}/${seg(current)}`, {
      form,
      headers: etag ? { 'if-match': etag } : {},
    });
  } catch (error) {
    if (jsonFirst) throw new PartlySaved(current, error);
    throw error;
  }
  return { id: current, sent: true };
}

/** The ETag a write answered with, or the record's current one when the answer carried none. */
async function etagOf(res: ApiResponse<RecordData>, url: string): Promise<string | null> {
  const etag = res.headers.get('etag');
  if (etag) return etag;
  return (await api('GET', url)).headers.get('etag');
}
