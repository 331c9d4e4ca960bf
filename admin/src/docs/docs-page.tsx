/**
 * /_/docs: the server's own OpenAPI document (GET /api/openapi.json, which
 * is public) as readable API docs: an introduction, authentication, every
 * operation by tag, then the shared schemas. No sign-in, no CDN.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { ProblemMessage } from '../ui';
import {
  anchor,
  describeScheme,
  groupByTag,
  type Json,
  operationsOf,
  schemaAnchor,
  securityOf,
} from './openapi';
import { OperationSection } from './operation-view';
import { RichText } from './rich-text';
import { SchemaView } from './schema-view';
import { Contents } from './toc';
import './docs.css';

type Loaded = { state: 'loading' } | { state: 'ready'; doc: Json } | { state: 'failed'; error: unknown };

export function DocsPage() {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  useEffect(() => {
    api<Json>('GET', '/api/openapi.json')
      .then(({ body }) => setLoaded({ state: 'ready', doc: body }))
      .catch((error) => setLoaded({ state: 'failed', error }));
  }, []);

  // Every docs style hangs off .docs-page, so none reaches the admin screens sharing the stylesheet.
  return (
    <div class="docs-page">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/_/">
          Methodical admin
        </a>
        <nav aria-label="Site">
          <a href="/_/">Admin page</a>
          <a href="/api/openapi.json">OpenAPI document (JSON)</a>
        </nav>
      </header>
      {loaded.state === 'ready' ? (
        <Docs doc={loaded.doc} />
      ) : (
        <main id="main" class="docs-main" aria-busy={loaded.state === 'loading'}>
          <h1>API docs</h1>
          {loaded.state === 'failed' ? (
            <ProblemMessage error={loaded.error} />
          ) : (
            <p class="muted">Loading…</p>
          )}
        </main>
      )}
    </div>
  );
}

function Docs({ doc }: { doc: Json }) {
  const groups = useMemo(() => groupByTag(doc, operationsOf(doc)), [doc]);
  const schemas = Object.keys(doc?.components?.schemas ?? {});
  const title = typeof doc?.info?.title === 'string' ? doc.info.title : 'API';

  useEffect(() => {
    document.title = `${title} · API docs`;
    // The browser looked for the fragment before the document arrived: jump now that the section exists.
    const id = decodeURIComponent(location.hash.slice(1));
    if (id) document.getElementById(id)?.scrollIntoView();
  }, [title]);

  return (
    <div class="docs-layout">
      <Contents groups={groups} schemaCount={schemas.length} />
      <main id="main" class="docs-main" tabIndex={-1}>
        <Intro doc={doc} title={title} />
        <Authentication doc={doc} />
        {groups.map((g) => (
          <section
            key={g.name}
            id={anchor('tag', g.name)}
            class="tag"
            aria-labelledby={`${anchor('tag', g.name)}-title`}
          >
            <h2 id={`${anchor('tag', g.name)}-title`}>{g.name}</h2>
            <RichText text={g.description} />
            {g.operations.map((op) => (
              <OperationSection key={op.id} doc={doc} op={op} />
            ))}
          </section>
        ))}
        <section id="schemas" class="tag" aria-labelledby="schemas-title">
          <h2 id="schemas-title">Schemas</h2>
          <p class="muted">The shared schemas (components.schemas) the operations refer to.</p>
          {schemas.map((name) => (
            <section
              key={name}
              id={schemaAnchor(name)}
              class="schema-entry"
              aria-labelledby={`${schemaAnchor(name)}-title`}
            >
              <h3 id={`${schemaAnchor(name)}-title`}>
                <code>{name}</code>
              </h3>
              {/* Nested refs only link here: each has its own entry. */}
              <SchemaView doc={doc} schema={doc.components.schemas[name]} maxRefs={0} />
            </section>
          ))}
        </section>
      </main>
    </div>
  );
}

function Intro({ doc, title }: { doc: Json; title: string }) {
  const info = doc?.info ?? {};
  const servers: Json[] = Array.isArray(doc?.servers) ? doc.servers : [];
  return (
    <div class="intro">
      <h1>{title}</h1>
      <p class="muted">
        Version {String(info.version ?? '—')} · OpenAPI {String(doc?.openapi ?? '—')}
      </p>
      <RichText text={info.description} />
      {servers.length > 0 ? (
        <p>
          <strong>{servers.length === 1 ? 'Server:' : 'Servers:'}</strong>{' '}
          {servers.map((s, i) => (
            <span key={String(s.url)}>
              {i > 0 ? ', ' : ''}
              <code>{String(s.url)}</code>
              {s.url === '/' ? ' (this server: paths below are relative to its origin)' : ''}
              {typeof s.description === 'string' ? ` — ${s.description}` : ''}
            </span>
          ))}
        </p>
      ) : null}
    </div>
  );
}

function Authentication({ doc }: { doc: Json }) {
  const schemes = Object.entries<Json>(doc?.components?.securitySchemes ?? {});
  const fallback = securityOf(doc, {});
  return (
    <section id="authentication" class="tag" aria-labelledby="authentication-title">
      <h2 id="authentication-title">Authentication</h2>
      <p>
        Each operation says who may call it. Where it does not say, the document's default applies:{' '}
        {fallback.none ? 'no authentication.' : 'a caller identifies with one of the schemes below.'} Whether
        a signed-in caller may then read or change a record is up to the collection's rules, given in each
        operation's description.
      </p>
      {schemes.length > 0 ? (
        <dl class="schemes">
          {schemes.map(([name, scheme]) => {
            const s = describeScheme(name, scheme);
            return (
              <div key={name} id={anchor('auth', name)} class="scheme">
                <dt>
                  <code>{name}</code>
                </dt>
                <dd>
                  <p>
                    Send <code>{s.how}</code>.
                  </p>
                  <RichText text={s.description} />
                </dd>
              </div>
            );
          })}
        </dl>
      ) : (
        <p>The document declares no security schemes.</p>
      )}
    </section>
  );
}
