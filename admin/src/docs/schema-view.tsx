/**
 * A JSON Schema as nested field tables. A $ref links to its entry in the
 * Schemas section and is expanded in place only a few refs deep, and never
 * inside itself, so recursive schemas end in a link instead of a loop.
 */
import { Fold } from './fold';
import { type Json, lookup, refName, schemaAnchor } from './openapi';
import { InlineText, RichText } from './rich-text';
import './schema.css';
import { alternativesOf, constraintsOf, isComplex, typeInfo, typeText } from './schema-info';

/** How deep objects nest before the rest is left out, and how many refs expand along one path. */
const MAX_DEPTH = 8;
const MAX_REFS = 2;

interface Ctx {
  doc: Json;
  /** The schema names being expanded around this node (the cycle guard). */
  stack: string[];
  depth: number;
  refs: number;
  maxRefs: number;
}

/** A schema with a link per $ref; `maxRefs` 0 only links (the Schemas section expands one level itself). */
export function SchemaView({
  doc,
  schema,
  maxRefs = MAX_REFS,
}: {
  doc: Json;
  schema: Json;
  maxRefs?: number;
}) {
  return <Node node={schema} ctx={{ doc, stack: [], depth: 0, refs: 0, maxRefs }} top />;
}

/** Is there more to show below a node's type label: members, or a ref this path may still expand? */
function expandable(node: Json, ctx: Ctx): boolean {
  if (!node || typeof node !== 'object') return false;
  if (typeof node.$ref === 'string') {
    const name = refName(node.$ref);
    return ctx.refs < ctx.maxRefs && !ctx.stack.includes(name) && isComplex(lookup(ctx.doc, node.$ref));
  }
  if (node.properties && typeof node.properties === 'object' && Object.keys(node.properties).length > 0)
    return true;
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    return expandable(node.additionalProperties, ctx);
  if (node.items && typeof node.items === 'object') return expandable(node.items, ctx);
  const alt = alternativesOf(node);
  return alt ? alt.list.some((a) => expandable(a, ctx)) : false;
}

function isPlainArray(node: Json): boolean {
  return !!node?.items && typeof node.items === 'object' && !node.properties && !alternativesOf(node);
}

export function SchemaLink({ name }: { name: string }) {
  return (
    <a class="schema-link" href={`#${schemaAnchor(name)}`}>
      {name}
    </a>
  );
}

function Node({ node, ctx, top }: { node: Json; ctx: Ctx; top?: boolean }) {
  if (!node || typeof node !== 'object') return <p class="muted">Any JSON value.</p>;
  if (typeof node.$ref === 'string') {
    const name = refName(node.$ref);
    const target = lookup(ctx.doc, node.$ref);
    if (target === undefined) {
      return (
        <p class="muted">
          Unresolved reference <code>{node.$ref}</code>
        </p>
      );
    }
    if (ctx.stack.includes(name)) {
      return (
        <p class="schema-ref">
          <SchemaLink name={name} /> <span class="muted">(recursive: see its own entry)</span>
        </p>
      );
    }
    if (ctx.refs >= ctx.maxRefs || ctx.depth >= MAX_DEPTH) {
      return (
        <p class="schema-ref">
          See <SchemaLink name={name} />.
        </p>
      );
    }
    return (
      <div class="schema">
        <p class="schema-ref">
          Schema <SchemaLink name={name} />
        </p>
        <Node node={target} ctx={{ ...ctx, stack: [...ctx.stack, name], refs: ctx.refs + 1 }} top={top} />
      </div>
    );
  }
  if (ctx.depth >= MAX_DEPTH) return <p class="muted">… (nested too deep to show)</p>;
  const inner = { ...ctx, depth: ctx.depth + 1 };
  const alt = alternativesOf(node);
  const props =
    node.properties && typeof node.properties === 'object' ? Object.entries<Json>(node.properties) : [];
  return (
    <>
      {top ? <RichText text={node.description} /> : null}
      {alt ? (
        <div class="alternatives">
          <p>{alt.word}:</p>
          <ol>
            {alt.list.map((a, i) => (
              <li key={i}>
                <TypeLabel node={a} />
                {a?.description ? (
                  <>
                    {' — '}
                    <InlineText text={a.description} />
                  </>
                ) : null}
                {expandable(a, inner) ? (
                  // Alternatives often repeat each other (a record, or some of its fields): only the first is open.
                  <Fold open={i === 0} summary="Its fields">
                    {() => <Node node={a} ctx={inner} />}
                  </Fold>
                ) : null}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      {props.length > 0 || (node.additionalProperties && typeof node.additionalProperties === 'object') ? (
        <FieldTable node={node} props={props} ctx={inner} />
      ) : null}
      {!alt && props.length === 0 && node.items && typeof node.items === 'object' ? (
        <div class="array-of">
          <p>
            Array of <TypeLabel node={node.items} />
            <Constraints node={node} />
          </p>
          {expandable(node.items, inner) ? <Node node={node.items} ctx={inner} /> : null}
        </div>
      ) : null}
      {!alt && props.length === 0 && !node.items && top ? (
        <p>
          <TypeLabel node={node} />
          <Constraints node={node} />
        </p>
      ) : null}
    </>
  );
}

function FieldTable({ node, props, ctx }: { node: Json; props: [string, Json][]; ctx: Ctx }) {
  const required = new Set<string>(Array.isArray(node.required) ? node.required : []);
  const extra =
    node.additionalProperties && typeof node.additionalProperties === 'object'
      ? node.additionalProperties
      : null;
  const rows: [string, Json, boolean][] = props.map(([name, p]) => [name, p, required.has(name)]);
  if (extra) rows.push(['*', extra, false]);
  return (
    <div class="table-wrap schema-table">
      <table>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, p, req]) => (
            <FieldRow key={name} name={name} prop={p} required={req} ctx={ctx} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FieldRow({ name, prop, required, ctx }: { name: string; prop: Json; required: boolean; ctx: Ctx }) {
  const values = typeInfo(prop).values;
  return (
    <>
      <tr data-field={name}>
        <th scope="row">
          <code class="field-name">{name === '*' ? 'any other member' : name}</code>
          {required ? <span class="required">required</span> : null}
        </th>
        <td data-label="Type">
          <TypeLabel node={prop} />
        </td>
        <td>
          <InlineText text={prop?.description} />
          {values && values.length > 0 ? (
            <span class="values">
              {' '}
              Values:{' '}
              {values.map((v, i) => (
                <span key={v}>
                  {i > 0 ? ', ' : ''}
                  <code>{v}</code>
                </span>
              ))}
              .
            </span>
          ) : null}
          <Constraints node={prop} />
        </td>
      </tr>
      {expandable(prop, ctx) ? (
        <tr class="nested">
          <td colSpan={3}>
            {/* The row already says "array of X": below it, only X's fields. */}
            <Node node={isPlainArray(prop) ? prop.items : prop} ctx={ctx} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** The type in a few words, with a link for each $ref: "string (date) | null", "array of BooksRead". */
export function TypeLabel({ node }: { node: Json }) {
  if (!node || typeof node !== 'object') return <span class="type">any</span>;
  if (typeof node.$ref === 'string') return <SchemaLink name={refName(node.$ref)} />;
  const alt = alternativesOf(node);
  if (alt) {
    return (
      <span class="type">
        {alt.list.map((a, i) => (
          <span key={i}>
            {i > 0 ? (alt.word === 'All of' ? ' & ' : ' | ') : ''}
            <TypeLabel node={a} />
          </span>
        ))}
      </span>
    );
  }
  const info = typeInfo(node);
  if (info.types.includes('array') && node.items && typeof node.items === 'object') {
    return (
      <span class="type">
        array of <TypeLabel node={node.items} />
        {info.nullable ? <span class="nullable"> | null</span> : null}
      </span>
    );
  }
  return (
    <span class="type">
      {typeText(node)}
      {info.nullable && info.types.length > 0 ? <span class="nullable"> | null</span> : null}
    </span>
  );
}

export function Constraints({ node }: { node: Json }) {
  const list = constraintsOf(node);
  if (list.length === 0) return null;
  return (
    <span class="constraints">
      {list.map((c) => (
        <span class="constraint" key={c.text + (c.code ?? '')}>
          {c.text}
          {c.code !== undefined ? (
            <>
              {' '}
              <code>{c.code}</code>
            </>
          ) : null}
        </span>
      ))}
    </span>
  );
}
