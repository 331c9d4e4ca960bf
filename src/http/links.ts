/**
 * The Link header of a list page (RFC 8288): first, prev, next, last.
 * `next` also carries `after=<cursor>`, so following it is a keyset seek
 * that costs what page 1 costs however deep the page; `page` stays beside
 * it as the page's number. The others go by `page` alone (OFFSET).
 */

export interface PageInfo {
  page: number;
  perPage: number;
  totalPages: number | null;
  items: readonly unknown[];
}

/**
 * Links that keep the request's own query and change only `page` (and
 * `after` on `next`). `more`: on a page reached by a cursor, whether a row
 * follows it, which decides `next` there rather than the page count.
 */
export function listLinks(
  url: string,
  page: PageInfo,
  next: string | null = null,
  more: boolean | null = null,
): string {
  const [path, query = ''] = url.split('?', 2);
  const params = new URLSearchParams(query);
  const href = (n: number, after: string | null = null) => {
    params.set('page', String(n));
    if (after === null) params.delete('after');
    else params.set('after', after);
    return `${path}?${params.toString()}`;
  };
  const links = [`<${href(1)}>; rel="first"`];
  if (page.page > 1) links.push(`<${href(page.page - 1)}>; rel="prev"`);
  const last = page.totalPages === null ? null : Math.max(page.totalPages, 1);
  const hasNext =
    more !== null ? more : last === null ? page.items.length === page.perPage : page.page < last;
  if (hasNext) links.push(`<${href(page.page + 1, next)}>; rel="next"`);
  if (last !== null) links.push(`<${href(last)}>; rel="last"`);
  return links.join(', ');
}
