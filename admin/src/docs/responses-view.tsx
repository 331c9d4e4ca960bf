/** An operation's request body and responses: per media type a schema, per status its headers and body. */
import { Fold, StatusBadge } from './fold';
import { type Json, resolve, sortedStatuses } from './openapi';
import { InlineText, RichText } from './rich-text';
import { SchemaView, TypeLabel } from './schema-view';

/** The first paragraph of a description, for a one-line summary. */
function firstParagraph(text: unknown): string {
  return typeof text === 'string' ? (text.split(/\n\s*\n/)[0] ?? '') : '';
}

/** Each media type of a `content` map with its schema; the first is open, the rest (forms repeating JSON) folded. */
function ContentView({ doc, content }: { doc: Json; content: Json }) {
  const entries = Object.entries<Json>(content ?? {});
  if (entries.length === 0) return null;
  return (
    <div class="media-types">
      {entries.map(([type, media], i) => {
        const schema = media?.schema;
        return (
          <Fold
            key={type}
            class="media"
            open={i === 0}
            summary={
              <>
                <span class="visually-hidden">Media type </span>
                <code>{type}</code>
              </>
            }
          >
            {() =>
              schema ? (
                <SchemaView doc={doc} schema={schema} />
              ) : (
                <p class="muted">Any body of this type; the document gives no schema.</p>
              )
            }
          </Fold>
        );
      })}
    </div>
  );
}

export function RequestBodyView({ doc, body }: { doc: Json; body: Json }) {
  const resolved = resolve(doc, body);
  if (!resolved) return null;
  return (
    <div class="request-body">
      <h4>Request body</h4>
      <p>
        <span class={resolved.required ? 'required' : 'optional'}>
          {resolved.required ? 'required' : 'optional'}
        </span>{' '}
        <InlineText text={resolved.description} />
      </p>
      <ContentView doc={doc} content={resolved.content} />
    </div>
  );
}

function HeadersTable({ doc, headers }: { doc: Json; headers: Json }) {
  const rows = Object.entries<Json>(headers ?? {}).map(([name, h]) => [name, resolve(doc, h) ?? {}] as const);
  if (rows.length === 0) return null;
  return (
    <div class="table-wrap schema-table">
      <table>
        <caption>Response headers</caption>
        <thead>
          <tr>
            <th scope="col">Header</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, h]) => (
            <tr key={name}>
              <th scope="row">
                <code class="field-name">{name}</code>
                {h.required ? <span class="required">always</span> : null}
              </th>
              <td data-label="Type">
                <TypeLabel node={h.schema} />
              </td>
              <td>
                <InlineText text={h.description} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ResponseBody({ doc, response }: { doc: Json; response: Json }) {
  const description = typeof response.description === 'string' ? response.description : '';
  const hasMore = description.split(/\n\s*\n/).length > 1;
  const hasContent = response.content && Object.keys(response.content).length > 0;
  return (
    <>
      {hasMore ? <RichText text={description} /> : null}
      <HeadersTable doc={doc} headers={response.headers} />
      {hasContent ? <ContentView doc={doc} content={response.content} /> : <p class="muted">No body.</p>}
    </>
  );
}

export function ResponsesView({ doc, responses }: { doc: Json; responses: Json }) {
  const statuses = sortedStatuses(responses);
  if (statuses.length === 0) return null;
  // The usual success is what a reader looks for first; the others stay folded.
  const first = statuses.find((status) => status.startsWith('2'));
  return (
    <div class="responses">
      <h4>Responses</h4>
      <ul class="response-list">
        {statuses.map((status) => {
          const response = resolve(doc, responses[status]) ?? {};
          return (
            <li key={status} data-status={status}>
              <Fold
                class="response"
                open={status === first}
                summary={
                  <>
                    <StatusBadge status={status} /> <InlineText text={firstParagraph(response.description)} />
                  </>
                }
              >
                {() => <ResponseBody doc={doc} response={response} />}
              </Fold>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
