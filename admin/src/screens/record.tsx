/**
 * One record: create, edit and delete it through the public API. Edits send
 * If-Match with the ETag of the version shown; a 412 means someone changed
 * it meanwhile, and the admin may reload it. Deletes ask first and report
 * an `onDelete: restrict` refusal with what still points to the record.
 * Another client's change to the record, heard live, is announced (with
 * Reload) and never replaces what the admin is editing.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, idempotencyKey, seg } from '../api';
import { type LiveChange, useLive } from '../live';
import type { AdminContext, CollectionInfo, RecordData } from '../model';
import { collectionHref, navigate, recordHref } from '../router';
import { fieldErrors, Notice, ProblemMessage, ScreenTitle } from '../ui';
import { useConfirm } from './confirm-dialog';
import { type Draft, toDraft } from './records/drafts';
import { setFlash, takeFlash } from './records/flash';
import { RecordForm } from './records/record-form';
import {
  ChangedElsewhere,
  ConflictMessage,
  ProblemSummary,
  ReferencedMessage,
} from './records/record-problems';
import { LocalProblems, PartlySaved, saveRecord } from './records/save';
import './records/records.css';

/**
 * The editors' starting drafts: the record's values, or for a new record the
 * fields' defaults, which are then not sent unless changed (the server applies them).
 */
function draftsOf(collection: CollectionInfo, record: RecordData | null): Record<string, Draft> {
  const out: Record<string, Draft> = {};
  for (const [name, def] of Object.entries(collection.fields)) {
    out[name] = toDraft(def, record ? record[name] : (def.default ?? null));
  }
  return out;
}

export function RecordScreen({
  ctx,
  collection,
  id,
}: {
  ctx: AdminContext;
  collection: CollectionInfo;
  id: string | null;
}) {
  const url = id === null ? null : `/api/${seg(collection.name)}/${seg(id)}`;
  const [record, setRecord] = useState<RecordData | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [initial, setInitial] = useState(() => draftsOf(collection, null));
  const [drafts, setDrafts] = useState(initial);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(takeFlash);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const { ask, dialog } = useConfirm();
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const [createKey] = useState(idempotencyKey);
  // The latest change to this record heard live (an update's ETag, or its delete).
  const [heard, setHeard] = useState<LiveChange | null>(null);
  useLive(id === null ? null : `${collection.name}/${id}`, (change) => {
    if (change.kind === 'update' || change.kind === 'delete') setHeard(change);
    else if (change.kind === 'reset' && url !== null) {
      // Too much was missed to replay, or the stream has just begun: ask for the record's ETag now.
      api('HEAD', url)
        // An event heard meanwhile is newer than this answer: it wins.
        .then((res) =>
          setHeard((old) => old ?? { kind: 'update', etag: res.headers.get('etag') ?? undefined }),
        )
        .catch((e) => {
          if (e instanceof ApiError && e.status === 404) setHeard((old) => old ?? { kind: 'delete' });
        });
    }
  });

  /** The current version from the server; whatever was typed is discarded. */
  const reload = useCallback(async () => {
    if (url === null) return;
    try {
      const res = await api<RecordData>('GET', url);
      const fresh = draftsOf(collection, res.body);
      setRecord(res.body);
      setEtag(res.headers.get('etag'));
      setInitial(fresh);
      setDrafts(fresh);
      setLoadError(null);
      setHeard(null);
    } catch (e) {
      setLoadError(e);
    }
  }, [url, collection]);

  useEffect(() => {
    reload();
  }, [reload]);

  const clearProblems = () => {
    setError(null);
    setErrors({});
    setConflict(false);
    setDeleteError(null);
  };

  async function save() {
    setBusy(true);
    clearProblems();
    setNotice(null);
    try {
      const saved = await saveRecord({ collection, id, etag, drafts, initial, createKey });
      if (id === null) {
        setFlash(`Created record ${saved.id}.`);
        navigate(recordHref(collection.name, saved.id));
        return;
      }
      await reload();
      setNotice(saved.sent ? 'Saved.' : 'Nothing changed, so nothing was sent.');
    } catch (e) {
      if (e instanceof PartlySaved && id === null) {
        setFlash(`Created record ${e.id}, but its files were not saved: ${e.message}`);
        navigate(recordHref(collection.name, e.id));
      } else if (e instanceof PartlySaved) {
        // The other changes are stored: show that version (its ETag too), and why the files are not.
        await reload();
        setError(new Error(`The other changes were saved, but not the files: ${e.message}`));
        setErrors(fieldErrors(e.cause));
      } else if (e instanceof ApiError && e.status === 412) setConflict(true);
      else {
        setError(e);
        setErrors(e instanceof LocalProblems ? e.fields : fieldErrors(e));
      }
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (url === null) return;
    setBusy(true);
    clearProblems();
    try {
      await api('DELETE', url, { headers: etag ? { 'if-match': etag } : {} });
      setFlash(`Deleted record ${id}.`);
      navigate(collectionHref(collection.name));
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) setConflict(true);
      else setDeleteError(e);
    } finally {
      setBusy(false);
    }
  }

  // Our own save is heard too: its ETag is the one shown once the save has reloaded.
  const changedElsewhere =
    !busy &&
    !conflict &&
    heard !== null &&
    (heard.kind === 'delete' || (!!heard.etag && heard.etag !== etag));
  const title = id === null ? `New ${collection.name} record` : `${collection.name} ${id}`;
  if (loadError) {
    return (
      <main id="main">
        <ScreenTitle text={title} />
        <ProblemMessage error={loadError} />
        <a href={collectionHref(collection.name)}>Back to {collection.name}</a>
      </main>
    );
  }
  if (id !== null && !record) {
    return (
      <main id="main" aria-busy="true">
        <ScreenTitle text={title} />
        <p class="muted">Loading…</p>
      </main>
    );
  }
  return (
    <main id="main" class="record-screen">
      <ScreenTitle text={title} />
      {notice && !changedElsewhere ? <Notice tone="ok">{notice}</Notice> : null}
      {conflict ? (
        <ConflictMessage
          busy={busy}
          onReload={async () => {
            await reload();
            setConflict(false);
            setNotice('Reloaded: this is the current version.');
          }}
        />
      ) : null}
      {changedElsewhere ? (
        <ChangedElsewhere
          deleted={heard.kind === 'delete'}
          busy={busy}
          onReload={async () => {
            await reload();
            setNotice('Reloaded: this is the current version.');
          }}
        />
      ) : null}
      {deleteError ? <ReferencedMessage error={deleteError} /> : null}
      <ProblemSummary error={error} fields={errors} />
      <RecordForm
        ctx={ctx}
        collection={collection}
        record={record}
        drafts={drafts}
        errors={errors}
        busy={busy}
        onChange={(field, d) => setDrafts((old) => ({ ...old, [field]: d }))}
        onSave={save}
        onDelete={async () => {
          const yes = await ask({
            title: 'Delete this record?',
            body: (
              <p>
                Record {id} of {collection.name} will be deleted, with its files. This cannot be undone.
              </p>
            ),
            confirm: 'Delete',
            danger: true,
          });
          if (yes) await remove();
        }}
      />
      {dialog}
    </main>
  );
}
