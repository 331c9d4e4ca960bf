/**
 * The record form itself: system fields read-only, one editor per declared
 * field (hidden ones too: admins see them), a summary of problems, and the
 * "Save" and (for an existing record) "Delete" buttons.
 */
import type { AdminContext, CollectionInfo, RecordData } from '../../model';
import type { Draft } from './drafts';
import { FieldEditor } from './field-editor';

export function RecordForm({
  ctx,
  collection,
  record,
  drafts,
  errors,
  busy,
  onChange,
  onSave,
  onDelete,
}: {
  ctx: AdminContext;
  collection: CollectionInfo;
  record: RecordData | null;
  drafts: Record<string, Draft>;
  errors: Record<string, string>;
  busy: boolean;
  onChange: (field: string, draft: Draft) => void;
  onSave: () => void;
  onDelete: () => void;
}) {
  return (
    <form
      class="record-form stack"
      aria-label={record ? `Record ${record.id} of ${collection.name}` : `New record of ${collection.name}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
    >
      {record ? (
        <dl class="system" aria-label="System fields">
          <dt>id</dt>
          <dd data-system="id">{record.id}</dd>
          <dt>created</dt>
          <dd data-system="created">{record.created}</dd>
          <dt>updated</dt>
          <dd data-system="updated">{record.updated}</dd>
        </dl>
      ) : null}
      {Object.entries(collection.fields).map(([name, def]) => (
        <FieldEditor
          key={name}
          name={name}
          def={def}
          draft={drafts[name]}
          error={errors[name]}
          onChange={(d) => onChange(name, d)}
          collection={collection.name}
          recordId={record?.id ?? null}
          target={def.type === 'relation' && def.collection ? ctx.collection(def.collection) : undefined}
        />
      ))}
      <div class="actions">
        <button type="submit" disabled={busy}>
          Save
        </button>
        {record ? (
          <button type="button" class="danger" disabled={busy} onClick={onDelete}>
            Delete
          </button>
        ) : null}
        <a href={`#/collections/${encodeURIComponent(collection.name)}`}>Back to {collection.name}</a>
      </div>
    </form>
  );
}
