/**
 * The question before a delete: a modal <dialog> (focus moves into it,
 * Escape cancels) with "Delete" and "Cancel"; Cancel is focused first so
 * Enter alone never deletes.
 */
import { useEffect, useRef } from 'preact/hooks';

export function DeleteDialog({
  open,
  what,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  what: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      cancel.current?.focus();
    } else if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby="delete-title"
      aria-describedby="delete-text"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="delete-title">Delete this record?</h2>
      <p id="delete-text">{what} will be deleted, with its files. This cannot be undone.</p>
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={onConfirm}>
          Delete
        </button>
        <button type="button" class="secondary" ref={cancel} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
