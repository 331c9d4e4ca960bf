/** Small layout pieces the docs share: a lazily rendered <details>, method and status badges. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/**
 * A <details> whose body is only built once opened: the document repeats
 * large schemas in every response, and most of them are never looked at.
 */
export function Fold({
  summary,
  open: initiallyOpen = false,
  class: className,
  children,
}: {
  summary: ComponentChildren;
  open?: boolean;
  class?: string;
  children: () => ComponentChildren;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <details
      class={className}
      open={open}
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>{summary}</summary>
      {open ? <div class="fold-body">{children()}</div> : null}
    </details>
  );
}

export function MethodBadge({ method }: { method: string }) {
  return <span class={`method method-${method}`}>{method.toUpperCase()}</span>;
}

const REASONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No Content',
  '206': 'Partial Content',
  '301': 'Moved Permanently',
  '302': 'Found',
  '303': 'See Other',
  '304': 'Not Modified',
  '307': 'Temporary Redirect',
  '308': 'Permanent Redirect',
  '400': 'Bad Request',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'Not Found',
  '405': 'Method Not Allowed',
  '406': 'Not Acceptable',
  '409': 'Conflict',
  '410': 'Gone',
  '412': 'Precondition Failed',
  '413': 'Content Too Large',
  '415': 'Unsupported Media Type',
  '416': 'Range Not Satisfiable',
  '422': 'Unprocessable Content',
  '428': 'Precondition Required',
  '429': 'Too Many Requests',
  '500': 'Internal Server Error',
  '503': 'Service Unavailable',
  '507': 'Insufficient Storage',
};

/** "201 Created", "2XX", "default", as a badge coloured by class. */
export function StatusBadge({ status }: { status: string }) {
  const kind = /^[1-5]/.test(status) ? `s${status[0]}xx` : 'sdefault';
  const reason = REASONS[status];
  return (
    <span class={`status ${kind}`}>
      {status}
      {reason ? ` ${reason}` : ''}
    </span>
  );
}

/** A path that may break after each slash (not inside a segment) when the line is short. */
export function PathText({ path }: { path: string }) {
  const parts = path.split('/');
  return (
    <>
      {parts.map((part, i) => (
        <span key={`${i}:${part}`}>
          {i > 0 ? '/' : ''}
          {part}
          {i < parts.length - 1 && i > 0 ? <wbr /> : null}
        </span>
      ))}
    </>
  );
}
