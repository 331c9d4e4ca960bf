/**
 * The `ctx` a custom route's handler is given. Its members are bound
 * functions and plain values, so a handler may destructure them
 * (`async ({ params, records, html }) => …`).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Caller, HookTx, RecordsApi, RouteContext, RouteResponse } from '../../config/app-types.js';
import { prefersHtml } from '../../util/accept.js';
import { html } from '../../util/html-template.js';
import { problemForStatus } from '../../util/problem.js';
import { safeRedirect } from '../form-body.js';
import { routeResponse } from './route-answer.js';

export interface HandlerInput {
  req: FastifyRequest;
  /** The method the handler answers: the request's, or the one a form's `_method` stands for. */
  method: string;
  body: unknown;
  ifMatch: string | undefined;
  records: RecordsApi;
  /** The transaction of an unsafe handler; null in a safe one, where `ctx.tx` throws. */
  tx: HookTx | null;
}

export class HandlerContext implements RouteContext {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly body: unknown;
  readonly auth: Caller | null;
  readonly prefersHtml: boolean;
  readonly ifMatch: string | undefined;
  readonly records: RecordsApi;
  /** Whether the handler asked for an idempotency key: its answer must then never be cached. */
  keyIssued = false;
  private readonly transaction: HookTx | null;

  constructor(input: HandlerInput) {
    const { req } = input;
    this.method = input.method;
    this.path = req.url.split('?')[0];
    this.params = req.params as Record<string, string>;
    this.query = req.query as Record<string, string | string[]>;
    this.body = input.body;
    this.auth = req.ctx.auth;
    this.prefersHtml = prefersHtml(req.headers.accept);
    this.ifMatch = input.ifMatch;
    this.records = input.records;
    this.transaction = input.tx;
  }

  get tx(): HookTx {
    if (this.transaction === null) {
      throw new Error(
        `ctx.tx is there only in unsafe handlers (POST, PUT, PATCH, DELETE); this one answers ${this.method}, which never writes`,
      );
    }
    return this.transaction;
  }

  readonly html = html;

  readonly idempotencyKey = (): string => {
    this.keyIssued = true;
    return randomBytes(18).toString('base64url');
  };

  readonly redirect = (path: string): RouteResponse => {
    const location = safeRedirect(path);
    if (location === undefined) {
      throw new Error(
        `ctx.redirect(${JSON.stringify(path)}): only same-origin paths, starting with one "/", may be redirected to`,
      );
    }
    return routeResponse(303, { location }, undefined);
  };

  readonly json = (value: unknown, init: { status?: number; headers?: Record<string, string> } = {}) =>
    routeResponse(init.status ?? 200, init.headers ?? {}, value);

  readonly problem = (status: number, detail: string): never => {
    throw problemForStatus(status, detail);
  };
}
