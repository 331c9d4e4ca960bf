/**
 * The records of one page: id (linking to the record), every declared
 * field shortened to a line, updated. Each header is a button that sorts
 * by its column, ascending then descending; aria-sort says which.
 */
import type { CollectionInfo, FieldDef, RecordData } from '../../model';
import { recordHref } from '../../router';
import { ariaSort, nextSort } from './list-query';

export function RecordsTable({
  collection,
  items,
  sort,
  onSort,
}: {
  collection: CollectionInfo;
  items: RecordData[];
  sort: string;
  onSort: (sort: string) => void;
}) {
  const fields = Object.entries(collection.fields);
  const columns = ['id', ...fields.map(([name]) => name), 'updated'];
  return (
    <div class="table-wrap">
      <table class="records">
        <caption class="visually-hidden">Records of {collection.name}</caption>
        <thead>
          <tr>
            {columns.map((name) => (
              <th key={name} scope="col" aria-sort={ariaSort(sort, name)}>
                <button type="button" class="sort" onClick={() => onSort(nextSort(sort, name))}>
                  {name}
                  <span aria-hidden="true" class="sort-mark">
                    {{ ascending: ' ▲', descending: ' ▼', none: '' }[ariaSort(sort, name)]}
                  </span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="muted">
                No records.
              </td>
            </tr>
          ) : (
            items.map((record) => (
              <tr key={record.id}>
                <td class="cell id">
                  <a href={recordHref(collection.name, record.id)}>{record.id}</a>
                </td>
                {fields.map(([name, def]) => (
                  <td key={name} class="cell" data-field={name}>
                    {cellText(def, record[name])}
                  </td>
                ))}
                <td class="cell">{record.updated}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

/** A cell shows one short line; the form shows the value whole. */
const MAX = 60;

function shorten(text: string): string {
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}

/** Shown in the table; dates are left as stored (ISO 8601 UTC), so sorting by them reads right. */
export function cellText(def: FieldDef | undefined, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) && def?.type !== 'json') return shorten(value.map(String).join(', '));
  switch (def?.type) {
    case 'boolean':
      return value === true ? 'yes' : 'no';
    case 'json':
      return shorten(JSON.stringify(value));
    default:
      return shorten(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
}
