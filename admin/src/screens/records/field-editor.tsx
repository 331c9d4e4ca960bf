/**
 * One field of the record form: its label (the field name, with `required`
 * marked), a hint with the constraints, the editor its type calls for, and
 * the server's problem with it (aria-invalid, aria-describedby).
 */
import type { CollectionInfo, FieldDef } from '../../model';
import type { Draft, FileDraft } from './drafts';
import { DateEditor, JsonEditor, NumberEditor, SelectEditor, TextEditor, TypedEditor } from './editors/basic';
import type { EditorProps } from './editors/props';
import { controlAttrs } from './editors/props';
import { FileEditor } from './file-editor';
import { RelationPicker } from './relation-picker';

function bytes(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')} MB`;
  if (n >= 1000) return `${Math.round(n / 1000)} kB`;
  return `${n} bytes`;
}

/** The constraints of a field, in words. */
export function hintOf(def: FieldDef): string {
  const parts: string[] = [def.type === 'relation' ? `a record of ${def.collection}` : def.type];
  const unit = def.type === 'text' ? ' characters' : '';
  const many = def.multiple && (def.type === 'file' || def.type === 'relation') ? ' (count)' : '';
  if (def.min !== undefined && def.max !== undefined) parts.push(`${def.min} to ${def.max}${unit}${many}`);
  else if (def.min !== undefined) parts.push(`at least ${def.min}${unit}${many}`);
  else if (def.max !== undefined) parts.push(`at most ${def.max}${unit}${many}`);
  if (def.pattern) parts.push(`matching ${def.pattern}`);
  if (def.multiple) parts.push('several allowed');
  if (def.maxSize !== undefined) parts.push(`up to ${bytes(def.maxSize)}${def.multiple ? ' each' : ''}`);
  if (def.accept) parts.push(def.accept.join(' or '));
  if (def.unique) parts.push('unique');
  if (def.hidden) parts.push('hidden from everyone but admins');
  if (def.required) parts.push('required');
  return parts.join('; ');
}

export function FieldEditor({
  name,
  def,
  draft,
  error,
  onChange,
  collection,
  recordId,
  target,
}: {
  name: string;
  def: FieldDef;
  draft: Draft;
  error?: string;
  onChange: (draft: Draft) => void;
  collection: string;
  recordId: string | null;
  target?: CollectionInfo;
}) {
  const inputId = `field-${name}`;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const props: EditorProps = {
    name,
    def,
    draft,
    onChange,
    inputId,
    describedBy: error ? `${hintId} ${errorId}` : hintId,
    invalid: Boolean(error),
    collection,
    recordId,
    target,
  };
  const mark = def.required ? (
    <span class="required" aria-hidden="true">
      {' '}
      *
    </span>
  ) : null;
  const hint = (
    <span id={hintId} class="hint">
      {hintOf(def)}
    </span>
  );
  const problem = error ? (
    <p id={errorId} class="field-error">
      {name} {error}
    </p>
  ) : null;

  if (def.type === 'boolean') {
    return (
      <div class="field" data-field={name}>
        <div class="check">
          <input
            type="checkbox"
            {...controlAttrs(props)}
            checked={draft === true}
            onChange={(e) => onChange(e.currentTarget.checked)}
          />
          <label for={inputId}>{name}</label>
          {mark}
        </div>
        {hint}
        {problem}
      </div>
    );
  }
  return (
    <div class="field" data-field={name}>
      <div class="label-row">
        <label for={inputId}>{name}</label>
        {mark}
      </div>
      {hint}
      <Editor {...props} />
      {problem}
    </div>
  );
}

function Editor(p: EditorProps) {
  const as = <D extends Draft>(q: EditorProps) => q as unknown as EditorProps<D>;
  switch (p.def.type) {
    case 'text':
      return <TextEditor {...as<string>(p)} />;
    case 'email':
    case 'url':
      return <TypedEditor {...as<string>(p)} />;
    case 'integer':
    case 'number':
      return <NumberEditor {...as<string>(p)} />;
    case 'date':
      return <DateEditor {...as<string>(p)} />;
    case 'select':
      return <SelectEditor {...as<string | string[]>(p)} />;
    case 'json':
      return <JsonEditor {...as<string>(p)} />;
    case 'relation':
      return <RelationPicker {...as<string | string[]>(p)} />;
    case 'file':
      return <FileEditor {...as<FileDraft>(p)} />;
    default:
      return <TextEditor {...as<string>(p)} />;
  }
}
