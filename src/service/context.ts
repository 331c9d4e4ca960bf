/** Who is calling, as the service sees it: no HTTP in here. */
import type { Caller } from '../config/app-types.js';

export type { Caller };

export interface RequestContext {
  /** The authenticated user, or null for an anonymous caller. */
  auth: Caller | null;
  /** The session the caller authenticated with, if any. */
  sessionTokenHash?: string;
  /** The client address (from X-Forwarded-For only with trustProxy). */
  ip: string;
  /** How the caller authenticated: cookies are subject to CSRF checks, bearer tokens are not. */
  via?: 'bearer' | 'cookie' | null;
  /** Server-side code (hooks, registration, the CLI): no rule applies. */
  system?: boolean;
}

/** A context with full rights, for the CLI and for hooks' own writes. */
export const SYSTEM_CONTEXT: RequestContext = {
  auth: { id: '', email: 'system', admin: true },
  ip: '127.0.0.1',
  system: true,
};
