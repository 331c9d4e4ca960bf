/**
 * A modal question before an action that cannot be taken back: a native
 * <dialog> (focus kept inside, Escape cancels), answered by a promise.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface Question {
  title: string;
  body: ComponentChildren;
  /** The confirming button's text. */
  confirm: string;
  danger?: boolean;
}

interface Pending extends Question {
  answer: (yes: boolean) => void;
}

/** `ask(question)` resolves true when confirmed; render `dialog` somewhere in the screen. */
export function useConfirm(): { ask: (q: Question) => Promise<boolean>; dialog: ComponentChildren } {
  const [pending, setPending] = useState<Pending | null>(null);
  const ask = (q: Question) =>
    new Promise<boolean>((resolve) => {
      setPending({
        ...q,
        answer: (yes) => {
          setPending(null);
          resolve(yes);
        },
      });
    });
  return { ask, dialog: pending ? <ConfirmDialog pending={pending} /> : null };
}

function ConfirmDialog({ pending }: { pending: Pending }) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const opener = useRef<Element | null>(document.activeElement);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    // The safe answer has the focus, so Enter never confirms by accident.
    cancel.current?.focus();
    const back = opener.current;
    return () => {
      // Closed before it leaves the page: while a modal is open, nothing outside it can take the focus.
      if (dialog?.open) dialog.close();
      if (back instanceof HTMLElement && back.isConnected) back.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      onCancel={(e) => {
        e.preventDefault();
        pending.answer(false);
      }}
    >
      <h2 id="confirm-title">{pending.title}</h2>
      <div id="confirm-body">{pending.body}</div>
      <div class="actions">
        <button
          type="button"
          class={pending.danger ? 'danger' : undefined}
          onClick={() => pending.answer(true)}
        >
          {pending.confirm}
        </button>
        <button type="button" class="secondary" ref={cancel} onClick={() => pending.answer(false)}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
