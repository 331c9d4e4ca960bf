/** Small shared pieces: messages for problems and notices, page titles, a busy flag. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from './api';

/** A problem as a person reads it: the server's detail, and each field's message. */
export function ProblemMessage({ error, id }: { error: unknown; id?: string }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : undefined;
  const detail =
    error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  return (
    <div class="notice error" role="alert" id={id}>
      <p>{detail}</p>
      {problem?.errors && problem.errors.length > 0 ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={`${e.field}:${e.code}`}>
              <strong>{e.field}</strong> {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A non-error message (saved, deleted), announced politely. */
export function Notice({ children, tone = 'info' }: { children: ComponentChildren; tone?: 'info' | 'ok' }) {
  return (
    <div class={`notice ${tone}`} role="status">
      {children}
    </div>
  );
}

/** The screen's heading, which also names the browser tab and takes focus when the screen changes. */
export function ScreenTitle({ children, text }: { children?: ComponentChildren; text: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${text} · Methodical admin`;
    ref.current?.focus();
  }, [text]);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children ?? text}
    </h1>
  );
}

/** The field problems of an error, by field name (for messages beside each input). */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (error instanceof ApiError) {
    for (const e of error.problem.errors ?? [])
      out[e.field] = out[e.field] ? `${out[e.field]}; ${e.message}` : e.message;
  }
  return out;
}
