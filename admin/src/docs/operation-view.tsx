/**
 * One operation's section: method and path, who may call it, its
 * description, parameters, request body and responses. HEAD and OPTIONS
 * repeat GET's headers and the Allow list, so they are folded.
 */
import { Fold, MethodBadge, PathText } from './fold';
import {
  type Json,
  MINOR_METHODS,
  type Operation,
  opAnchor,
  parametersOf,
  securityOf,
  shownSummary,
} from './openapi';
import { RequestBodyView, ResponsesView } from './responses-view';
import { InlineText, RichText } from './rich-text';
import { Constraints, TypeLabel } from './schema-view';

export function OperationSection({ doc, op }: { doc: Json; op: Operation }) {
  const id = opAnchor(op);
  const summary = shownSummary(op);
  const title = (
    <h3 id={`${id}-title`}>
      <MethodBadge method={op.method} />{' '}
      <code class="path">
        <PathText path={op.path} />
      </code>
      {summary ? <span class="op-summary"> — {summary}</span> : null}
    </h3>
  );
  if (MINOR_METHODS.has(op.method)) {
    return (
      <section id={id} class="op minor" aria-labelledby={`${id}-title`} data-operation={op.id}>
        <Fold summary={title}>{() => <OperationBody doc={doc} op={op} />}</Fold>
      </section>
    );
  }
  return (
    <section id={id} class="op" aria-labelledby={`${id}-title`} data-operation={op.id}>
      {title}
      <OperationBody doc={doc} op={op} />
    </section>
  );
}

function OperationBody({ doc, op }: { doc: Json; op: Operation }) {
  return (
    <div class="op-body">
      <Security doc={doc} op={op.op} />
      <RichText text={op.op.description} />
      {op.op.deprecated ? <p class="deprecated">Deprecated.</p> : null}
      <Parameters doc={doc} op={op} />
      {op.op.requestBody ? <RequestBodyView doc={doc} body={op.op.requestBody} /> : null}
      <ResponsesView doc={doc} responses={op.op.responses} />
    </div>
  );
}

/** A scheme as a phrase that links to its explanation in the Authentication section. */
function SchemeName({ doc, name }: { doc: Json; name: string }) {
  const scheme = doc?.components?.securitySchemes?.[name] ?? {};
  let label = name;
  if (scheme.type === 'http' && String(scheme.scheme).toLowerCase() === 'bearer') label = 'a bearer token';
  else if (scheme.type === 'apiKey' && scheme.in === 'cookie') label = `the ${scheme.name} cookie`;
  else if (scheme.type === 'apiKey')
    label = `the ${scheme.name} ${scheme.in === 'query' ? 'parameter' : 'header'}`;
  return <a href={`#auth-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`}>{label}</a>;
}

function Security({ doc, op }: { doc: Json; op: Json }) {
  const info = securityOf(doc, op);
  if (info.none) {
    return (
      <p class="security">
        <strong>Authentication:</strong> none — anyone may call it.
      </p>
    );
  }
  const ways = info.alternatives.map((names, i) => (
    <span key={names.join('+')}>
      {i > 0 ? (i === info.alternatives.length - 1 ? ' or ' : ', ') : ''}
      {names.map((n, j) => (
        <span key={n}>
          {j > 0 ? ' and ' : ''}
          <SchemeName doc={doc} name={n} />
        </span>
      ))}
    </span>
  ));
  return (
    <p class="security">
      <strong>Authentication:</strong>{' '}
      {info.optional ? (
        <>optional — anonymous callers are allowed; send {ways} to call as a user.</>
      ) : (
        <>{ways}.</>
      )}
    </p>
  );
}

function Parameters({ doc, op }: { doc: Json; op: Operation }) {
  const params = parametersOf(doc, op);
  if (params.length === 0) return null;
  return (
    <div class="parameters">
      <h4>Parameters</h4>
      <div class="table-wrap schema-table">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">In</th>
              <th scope="col">Type</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {params.map((p) => (
              <tr key={`${p.in}:${p.name}`} data-param={p.name}>
                <th scope="row">
                  <code class="field-name">{p.name}</code>
                  {p.required ? <span class="required">required</span> : null}
                </th>
                <td data-label="In">{p.in}</td>
                <td data-label="Type">
                  <TypeLabel node={p.schema} />
                </td>
                <td>
                  <InlineText text={p.description} />
                  <ParamLimits schema={p.schema} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function ParamLimits({ schema }: { schema: Json }) {
  const values: unknown[] = Array.isArray(schema?.enum) ? schema.enum : [];
  return (
    <>
      {values.length > 0 ? (
        <span class="constraints">
          <span class="constraint">
            one of{' '}
            {values.map((v, i) => (
              <span key={String(v)}>
                {i > 0 ? ', ' : ''}
                <code>{String(v)}</code>
              </span>
            ))}
          </span>
        </span>
      ) : null}
      <Constraints node={schema} />
    </>
  );
}
