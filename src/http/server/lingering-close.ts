/**
 * Lingering close (nginx's lingering_close): a connection closed while the
 * client may still be sending is half-closed and read from, and its bytes
 * discarded, for a few seconds before it is destroyed. Closing at once with
 * unread bytes in the kernel's buffer makes it send a reset, and a reset can
 * throw away the answer before the client has read it (a 413 for an
 * oversized upload would arrive as ECONNRESET).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** How long a closing connection is read from at most before it is destroyed. */
export const LINGER_MS = 3000;

/** Connections being closed: answered, or refused, and taking no more requests. */
const closing = new WeakSet<Socket>();

/** Whether the connection is on its way out (its requests are no longer served). */
export function isClosing(socket: Socket): boolean {
  return closing.has(socket);
}

/** Whether the request's head announces a body. */
export function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Whether the request announced a body and part of it has not arrived yet. */
export function bodyUnread(req: IncomingMessage): boolean {
  // `complete` is undefined on injected requests, which have no connection to protect.
  return req.complete === false && announcesBody(req);
}

/** Destroy the socket once everything written to it has been handed to the kernel. */
function destroyWhenFlushed(socket: Socket): void {
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}

/**
 * Send a FIN after what was written, keep reading (and discarding) until the
 * client closes its side or LINGER_MS pass, then destroy: the socket is
 * always destroyed in the end, so a peer that never closes cannot keep it.
 */
export function lingeringClose(socket: Socket): void {
  if (socket.destroyed || closing.has(socket)) return;
  closing.add(socket);
  socket.end();
  if (socket.readableEnded) {
    destroyWhenFlushed(socket);
    return;
  }
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', () => destroyWhenFlushed(socket));
  socket.resume();
}

/**
 * Make Node's close after this connection's last response a lingering one.
 * Node ends such a socket with destroySoon() (end, then destroy as soon as
 * the answer is flushed); this socket gets lingeringClose instead. The
 * request, whose unread body may be paused, is resumed so its bytes keep
 * draining; and since Node forgets a request once its response is done, it
 * is aborted here when the connection goes, so whatever still reads its body
 * (an upload being staged) fails and cleans up instead of waiting for ever.
 */
export function lingerAfterResponse(socket: Socket, req: IncomingMessage): void {
  socket.destroySoon = () => {
    req.resume();
    lingeringClose(socket);
  };
  socket.once('close', () => {
    if (!req.complete) req.destroy();
  });
}
