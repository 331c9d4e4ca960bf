/**
 * A file field: the current file(s) with a download link, a preview for
 * images and a "Remove" button each; a file input (multiple when the field
 * is) for new ones. Nothing is sent until the form is saved.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { FileDraft } from './drafts';
import type { EditorProps } from './editors/props';
import { controlAttrs } from './editors/props';

const IMAGE = /\.(png|jpe?g|gif|webp|avif)$/i;

/** The download path of a stored file (the same one any client uses). */
export function fileUrl(collection: string, id: string, field: string, name: string): string {
  return `/api/files/${[collection, id, field, name].map(encodeURIComponent).join('/')}`;
}

export function FileEditor(p: EditorProps<FileDraft>) {
  const input = useRef<HTMLInputElement>(null);
  const { kept, added } = p.draft;
  const multiple = p.def.multiple === true;
  // After a save or reload the draft has no new files: the input must not still show the old choice.
  useEffect(() => {
    if (added.length === 0 && input.current) input.current.value = '';
  }, [added.length]);
  return (
    <div class="file-editor">
      {kept.length > 0 && p.recordId !== null ? (
        <ul class="file-list" aria-label={`Current ${p.name}`}>
          {kept.map((name) => {
            const url = fileUrl(p.collection, p.recordId as string, p.name, name);
            return (
              <li key={name}>
                {IMAGE.test(name) ? <img class="preview" src={url} alt={`Preview of ${name}`} /> : null}
                <a href={url} download={name}>
                  {name}
                </a>
                <button
                  type="button"
                  class="secondary"
                  aria-label={`Remove ${name}`}
                  onClick={() => p.onChange({ kept: kept.filter((k) => k !== name), added })}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p class="hint">No file.</p>
      )}
      <input
        ref={input}
        type="file"
        {...controlAttrs(p)}
        required={p.def.required === true && kept.length === 0}
        multiple={multiple}
        accept={p.def.accept?.join(',')}
        onChange={(e) => p.onChange({ kept, added: [...(e.currentTarget.files ?? [])] })}
      />
      {added.length > 0 ? (
        <p class="hint" aria-live="polite">
          {multiple || kept.length === 0 ? 'To upload on save: ' : 'Replaces the current file on save: '}
          {added.map((f) => f.name).join(', ')}{' '}
          <button
            type="button"
            class="link"
            onClick={() => {
              if (input.current) input.current.value = '';
              p.onChange({ kept, added: [] });
            }}
          >
            Clear the chosen {added.length === 1 ? 'file' : 'files'}
          </button>
        </p>
      ) : null}
    </div>
  );
}
