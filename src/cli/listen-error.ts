/** Why `serve` could not listen, said in one line with what to do about it. */

interface ListenError {
  code?: string;
  address?: string;
  port?: number;
  message?: string;
}

const PORT_HINT = 'choose another with --port P or the PORT environment variable (--port 0 picks a free one)';

/** The one line for a listen failure, or undefined when `error` is not one. */
export function listenFailure(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, address, port } = error as ListenError;
  const where = address !== undefined && port !== undefined ? `${address}:${port}` : 'the address';
  switch (code) {
    case 'EADDRINUSE':
      return `methodical: cannot listen on ${where}: the port is already in use; ${PORT_HINT}`;
    case 'EACCES':
      return `methodical: cannot listen on ${where}: permission denied (ports below 1024 need privileges); ${PORT_HINT}`;
    case 'EADDRNOTAVAIL':
      return `methodical: cannot listen on ${where}: this machine has no such address; choose another with --host H`;
    default:
      return undefined;
  }
}
