/**
 * A message for the next screen ("Created", "Deleted"): the screen that
 * did the write navigates away, and the one it lands on shows the message.
 * Kept in memory only: a reload should not repeat it.
 */
let pending: string | null = null;

export function setFlash(message: string): void {
  pending = message;
}

/** The pending message, once. */
export function takeFlash(): string | null {
  const message = pending;
  pending = null;
  return message;
}
