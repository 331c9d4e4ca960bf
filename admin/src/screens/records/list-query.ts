/**
 * The table's state lives in the hash query (filter, sort, page, perPage),
 * so reload, back and a shared link all show the same page of records.
 */
import { seg } from '../../api';

export const PER_PAGE_CHOICES = [20, 50, 100] as const;

export interface ListState {
  filter: string;
  /** `field` or `-field`; empty for the server's order. */
  sort: string;
  page: number;
  perPage: number;
}

function positive(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 1 ? n : fallback;
}

export function listStateOf(query: URLSearchParams): ListState {
  const perPage = positive(query.get('perPage'), 20);
  return {
    filter: query.get('filter') ?? '',
    sort: query.get('sort') ?? '',
    page: positive(query.get('page'), 1),
    perPage: (PER_PAGE_CHOICES as readonly number[]).includes(perPage) ? perPage : 20,
  };
}

/** The hash query of a state; defaults are left out so links stay short. */
export function queryOf(state: ListState): URLSearchParams {
  const q = new URLSearchParams();
  if (state.filter) q.set('filter', state.filter);
  if (state.sort) q.set('sort', state.sort);
  if (state.page !== 1) q.set('page', String(state.page));
  if (state.perPage !== 20) q.set('perPage', String(state.perPage));
  return q;
}

/** The API request for a state: the same parameters, passed through as any client would. */
export function listUrl(collection: string, state: ListState): string {
  const q = new URLSearchParams({ page: String(state.page), perPage: String(state.perPage) });
  if (state.filter) q.set('filter', state.filter);
  if (state.sort) q.set('sort', state.sort);
  return `/api/${seg(collection)}?${q}`;
}

/** The next sort after clicking a column's header: ascending first, then descending, then ascending again. */
export function nextSort(current: string, field: string): string {
  return current === field ? `-${field}` : field;
}

/** How a column is sorted now, as aria-sort says it. */
export function ariaSort(current: string, field: string): 'ascending' | 'descending' | 'none' {
  if (current === field) return 'ascending';
  if (current === `-${field}`) return 'descending';
  return 'none';
}
