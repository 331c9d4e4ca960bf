/** What a refused save or delete tells the admin: a conflict (with Reload), a restrict refusal, field problems. */
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../../api';
import { ProblemMessage } from '../../ui';

/**
 * Focus moves to a message when it appears (and scrolls it into view): the
 * Save button that caused it may be far below, at the end of a long form.
 */
function useFocusWhenShown<T extends HTMLElement>(key: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    // After the frame: a closing <dialog> hands focus back to its opener first, which must not win.
    const frame = requestAnimationFrame(() => ref.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [key]);
  return ref;
}

/** Reload: show the current version, discarding the edit. */
function ReloadAction({ onReload, busy }: { onReload: () => void; busy: boolean }) {
  return (
    <div class="actions">
      <button type="button" disabled={busy} onClick={onReload}>
        Reload
      </button>
    </div>
  );
}

export function ConflictMessage({ onReload, busy }: { onReload: () => void; busy: boolean }) {
  const ref = useFocusWhenShown<HTMLDivElement>(true);
  return (
    <div class="notice error conflict" role="alert" tabIndex={-1} ref={ref}>
      <p>
        <strong>This record was changed by someone else since you opened it.</strong> Your changes were not
        saved. Reload to see the current version (your edit is discarded), then make your change again.
      </p>
      <ReloadAction busy={busy} onReload={onReload} />
    </div>
  );
}

/**
 * Another client changed (or deleted) the record being edited, heard live:
 * said politely, without taking focus or touching the form; Reload shows
 * the current version (discarding the edit).
 */
export function ChangedElsewhere({
  deleted,
  busy,
  onReload,
}: {
  deleted: boolean;
  busy: boolean;
  onReload: () => void;
}) {
  return (
    <div class="notice info changed-elsewhere" role="status">
      {deleted ? (
        <p>
          <strong>This record was deleted by someone else.</strong> Saving now would fail; what you typed is
          still here.
        </p>
      ) : (
        <p>
          <strong>This record was changed by someone else.</strong> Your edit is kept; saving it would be
          refused. Reload to see the current version (your edit is discarded).
        </p>
      )}
      {deleted ? null : <ReloadAction busy={busy} onReload={onReload} />}
    </div>
  );
}

interface Reference {
  collection: string;
  field: string;
  count: number;
}

/** A 409 `still-referenced`: which collections and fields still point to the record, and how many records. */
export function ReferencedMessage({ error }: { error: unknown }) {
  const ref = useFocusWhenShown<HTMLDivElement>(error);
  const refs =
    error instanceof ApiError && String(error.problem.type ?? '').endsWith('/still-referenced')
      ? ((error.problem.referencedBy ?? []) as Reference[])
      : null;
  if (!refs) return <ProblemMessage error={error} />;
  return (
    <div class="notice error still-referenced" role="alert" tabIndex={-1} ref={ref}>
      <p>
        <strong>Not deleted:</strong> other records still point to this one, and their relation says
        <code> onDelete: restrict</code>. Change or delete them first.
      </p>
      <ul>
        {refs.map((r) => (
          <li key={`${r.collection}.${r.field}`}>
            {r.count} {r.count === 1 ? 'record' : 'records'} of{' '}
            <a href={`#/collections/${encodeURIComponent(r.collection)}`}>{r.collection}</a> (field{' '}
            <code>{r.field}</code>)
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The summary above the form: the server's detail (or ours), and each field's problem. */
export function ProblemSummary({ error, fields }: { error: unknown; fields: Record<string, string> }) {
  const ref = useFocusWhenShown<HTMLDivElement>(error);
  if (!error) return null;
  const detail = error instanceof Error ? error.message : String(error);
  const entries = Object.entries(fields);
  return (
    <div class="notice error" role="alert" id="form-problems" tabIndex={-1} ref={ref}>
      <p>{detail}</p>
      {entries.length > 0 ? (
        <ul>
          {entries.map(([name, message]) => (
            <li key={name}>
              <a href={`#field-${name}`} onClick={(e) => focusField(e, name)}>
                {name}
              </a>{' '}
              {message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The hash is the router's: a summary link moves focus to its field instead of navigating. */
function focusField(e: Event, name: string) {
  e.preventDefault();
  document.getElementById(`field-${name}`)?.focus();
}
