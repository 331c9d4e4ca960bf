/**
 * Hash routes, so the whole page is one document at /_/ and reloads,
 * back and forward work without any server route of its own:
 *   #/                          collections
 *   #/collections/NAME?filter=…&sort=…&page=…
 *   #/collections/NAME/new      a new record
 *   #/collections/NAME/ID       one record
 *   #/users                     users
 *   #/setup/TOKEN               the first admin (the link `serve` prints)
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { screen: 'overview' }
  | { screen: 'collection'; name: string; query: URLSearchParams }
  | { screen: 'record'; name: string; id: string | null }
  | { screen: 'users'; query: URLSearchParams }
  | { screen: 'setup'; token: string }
  | { screen: 'missing'; hash: string };

/** The route of a location hash. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?', 2);
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { screen: 'overview' };
  if (parts[0] === 'collections' && parts.length === 2)
    return { screen: 'collection', name: parts[1], query };
  if (parts[0] === 'collections' && parts.length === 3) {
    return { screen: 'record', name: parts[1], id: parts[2] === 'new' ? null : parts[2] };
  }
  if (parts[0] === 'users' && parts.length === 1) return { screen: 'users', query };
  if (parts[0] === 'setup' && parts.length === 2) return { screen: 'setup', token: parts[1] };
  return { screen: 'missing', hash: raw };
}

/** The hash of a collection's table with the given query. */
export function collectionHref(name: string, query?: URLSearchParams | Record<string, string>): string {
  const params = query instanceof URLSearchParams ? query : new URLSearchParams(query);
  const search = params.toString();
  return `#/collections/${encodeURIComponent(name)}${search ? `?${search}` : ''}`;
}

export function recordHref(name: string, id: string | null): string {
  return `#/collections/${encodeURIComponent(name)}/${id === null ? 'new' : encodeURIComponent(id)}`;
}

/** Go to a hash (a new history entry). */
export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
