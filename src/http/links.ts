/** The Link header of a list page (RFC 8288): first, prev, next, last. */

export interface PageInfo {
  page: number;
  perPage: number;
  totalPages: number | null;
  items: readonly unknown[];
}

/** Links that keep the request's own query and change only `page`. */
export function listLinks(url: string, page: PageInfo): string {
  const [path, query = ''] = url.split('?', 2);
  const params = new URLSearchParams(query);
  const href = (n: number) => {
    params.set('page', String(n));
    return `${path}?${params.toString()}`;
  };
  const links = [`<${href(1)}>; rel="first"`];
  if (page.page > 1) links.push(`<${href(page.page - 1)}>; rel="prev"`);
  const last = page.totalPages === null ? null : Math.max(page.totalPages, 1);
  const hasNext = last === null ? page.items.length === page.perPage : page.page < last;
  if (hasNext) links.push(`<${href(page.page + 1)}>; rel="next"`);
  if (last !== null) links.push(`<${href(last)}>; rel="last"`);
  return links.join(', ');
}
