/** What every field editor gets from the form. */
import type { CollectionInfo, FieldDef } from '../../../model';
import type { Draft } from '../drafts';

export interface EditorProps<D extends Draft = Draft> {
  name: string;
  def: FieldDef;
  draft: D;
  onChange: (draft: D) => void;
  /** The id of the control the field's label names. */
  inputId: string;
  /** Hint and error ids, for aria-describedby. */
  describedBy: string;
  invalid: boolean;
  /** The record's collection and id (null when new): file links need them. */
  collection: string;
  recordId: string | null;
  /** A relation's target collection, when the server has it. */
  target?: CollectionInfo;
}

/** The attributes every control of a field carries. */
export function controlAttrs<D extends Draft>(p: EditorProps<D>) {
  return {
    id: p.inputId,
    name: p.name,
    'aria-describedby': p.describedBy,
    'aria-invalid': p.invalid ? ('true' as const) : undefined,
    required: p.def.required === true && p.def.type !== 'boolean',
  };
}
