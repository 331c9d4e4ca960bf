/** Every collection with its fields and record count (one `perPage=1` list each, as any client counts). */
import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api';
import type { AdminContext, ListPage } from '../model';
import { collectionHref } from '../router';
import { ScreenTitle } from '../ui';

export function Overview({ ctx }: { ctx: AdminContext }) {
  const [counts, setCounts] = useState<Record<string, number | string>>({});
  useEffect(() => {
    for (const c of ctx.collections) {
      api<ListPage>('GET', `/api/${seg(c.name)}?perPage=1&fields=id`)
        .then(({ body }) => setCounts((old) => ({ ...old, [c.name]: body.totalItems ?? '?' })))
        .catch(() => setCounts((old) => ({ ...old, [c.name]: 'unavailable' })));
    }
  }, [ctx.collections]);
  return (
    <main id="main">
      <ScreenTitle text="Collections" />
      <ul class="cards">
        {ctx.collections.map((c) => (
          <li key={c.name} class="card">
            <h2>
              <a href={c.auth ? '#/users' : collectionHref(c.name)}>{c.name}</a>
            </h2>
            <p class="count" data-collection={c.name}>
              {counts[c.name] === undefined
                ? '…'
                : `${counts[c.name]} ${counts[c.name] === 1 ? 'record' : 'records'}`}
            </p>
            <table class="fields">
              <caption class="visually-hidden">Fields of {c.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Type</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(c.fields).map(([name, def]) => (
                  <tr key={name}>
                    <td>{name}</td>
                    <td>
                      {def.type}
                      {def.type === 'relation' ? ` → ${def.collection}` : ''}
                      {def.multiple ? ' (multiple)' : ''}
                      {def.required ? ', required' : ''}
                      {def.unique ? ', unique' : ''}
                      {def.hidden ? ', hidden' : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </li>
        ))}
      </ul>
    </main>
  );
}
