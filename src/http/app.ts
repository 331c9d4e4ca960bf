/**
 * The composition root: createApp(deps, options) builds the Fastify
 * instance from a validated config and a store. The CLI and the tests both
 * build their apps here.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyMultipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ErrorPageHandler } from '../config/app-types.js';
import type { Config } from '../config/types.js';
import type { FileStorage } from '../files/storage.js';
import { compileSchema } from '../schema/compile-schema.js';
import { AdminSetup } from '../service/admin-setup.js';
import { AuthService } from '../service/auth.js';
import type { RequestContext } from '../service/context.js';
import { WriteRunner } from '../service/idempotent-write.js';
import { LoginThrottle } from '../service/login-throttle.js';
import { ChangeHub } from '../service/realtime/hub.js';
import { RealtimeStreams } from '../service/realtime/streams.js';
import { sweepInBackground } from '../service/realtime/sweep.js';
import { RecordReader } from '../service/record-reader.js';
import { RecordWriter } from '../service/record-writes.js';
import type { Store } from '../store/store.js';
import { bodyPlugin } from './plugins/body.js';
import { connectionClosePlugin } from './plugins/connection-close.js';
import { problemPlugin, renderProblem, toProblem } from './plugins/problem.js';
import { requestContextPlugin } from './plugins/request-context.js';
import { unroutedRequest } from './plugins/unrouted.js';
import { sendStored } from './respond.js';
import { type FormRoute, trackRoutes } from './route-table.js';
import { adminRoutes } from './routes/admin.js';
import { aliasRewriter } from './routes/aliases.js';
import { apiRoutes } from './routes/api.js';
import { authRoutes } from './routes/auth.js';
import { configRoutes } from './routes/custom.js';
import { fileRoutes } from './routes/files.js';
import { jsonServerRoutes } from './routes/json-server.js';
import { realtimeRoutes } from './routes/realtime.js';
import { userSessionRoutes } from './routes/user-sessions.js';
import { clientErrorHandler } from './server/client-error.js';
import { guardedServer } from './server/guarded-server.js';
import type { Services } from './services.js';
import { staticFiles } from './static-files.js';
import { writeRenderer } from './write-answer.js';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
  }
  interface FastifyInstance {
    /** The config's publicUrl, for code that has only the request (error pages). */
    methodicalPublicUrl: string | undefined;
    /** The config's error page, for code that has only the request. */
    methodicalErrorPage: ErrorPageHandler | undefined;
  }
}

export interface AppDeps {
  config: Config;
  store: Store;
  /** Where uploaded files are kept. */
  files: FileStorage;
}

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** A fixed clock, for tests. */
  now?: () => Date;
  /** How often realtime looks at the change log unwoken (ms; default 1000), for tests. */
  realtimePollMs?: number;
}

/** Build the app. Call `app.ready()` or `app.listen()` next. */
export function createApp(deps: AppDeps, options: AppOptions = {}): FastifyInstance {
  const { config, store, files } = deps;
  const rewrite = aliasRewriter(config.routes);
  const app = Fastify({
    rewriteUrl: (req) => rewrite(req.method ?? 'GET', req.url ?? '/'),
    logger: options.logger ?? false,
    bodyLimit: config.limits.json,
    trustProxy: config.trustProxy,
    exposeHeadRoutes: true,
    return503OnClosing: true,
    // Errors Fastify raises before routing (a bad percent-encoding in the path) are problems too.
    frameworkErrors(error, req, reply) {
      reply.header('Vary', 'Accept');
      return sendStored(reply, renderProblem(toProblem(error, req), req));
    },
    forceCloseConnections: 'idle',
    // Timeouts, the connection cap and Node-level answers live with the server (src/http/server/).
    serverFactory: guardedServer({
      limits: config.limits,
      timeouts: config.timeouts,
      onAcceptError: (error) => app.log.error({ err: error }, 'could not accept a connection'),
    }),
    clientErrorHandler: clientErrorHandler(config.limits, config.timeouts),
  });

  const schema = compileSchema(config);
  const writer = new RecordWriter({
    schema,
    hooks: config.hooks,
    files,
    limits: config.limits,
    now: options.now,
  });
  const auth = new AuthService({ store, schema, config, writer, now: options.now });
  const hub = new ChangeHub(store.changes, {
    pollMs: options.realtimePollMs,
    onError: (error) => app.log.warn({ err: error }, 'could not read the change log'),
  });
  const services: Services = {
    config,
    store,
    files,
    schema,
    reader: new RecordReader({ store, schema, limits: config.limits }),
    writer,
    auth,
    setup: new AdminSetup({
      store,
      auth,
      throttle: new LoginThrottle(config.auth.loginThrottle, store),
      now: options.now,
    }),
    realtime: new RealtimeStreams({ schema, feed: store.changes, hub, settings: config.realtime }),
    runner: new WriteRunner({
      store,
      writer,
      render: writeRenderer,
      ttlSeconds: config.idempotency.ttlSeconds,
      now: options.now,
      onError: (error) => app.log.error({ err: error }, 'after-hook failed'),
    }),
  };

  const stopSweeping = sweepInBackground(store.changes, config.realtime, (error) =>
    app.log.warn({ err: error }, 'could not sweep the change log'),
  );
  app.addHook('onClose', async () => {
    stopSweeping();
    hub.close();
  });
  trackRoutes(app);
  app.decorateRequest('ctx', null as unknown as RequestContext);
  app.decorate('methodicalPublicUrl', config.publicUrl);
  app.decorate('methodicalTrustProxy', config.trustProxy);
  app.decorate('methodicalErrorPage', config.errorPage);
  connectionClosePlugin(app);
  requestContextPlugin(app, {
    auth: services.auth,
    publicUrl: config.publicUrl,
    trustedOrigins: config.trustedOrigins,
    crossOrigin: config.cors.origins.length > 0 || config.jsonServer,
  });
  // json-server lets every origin read; `cors.origins` still narrows that when it is set.
  const origins = config.cors.origins.length > 0 || !config.jsonServer ? config.cors.origins : ['*'];
  if (origins.length > 0) {
    const any = origins.includes('*');
    app.register(fastifyCors, {
      origin: any ? '*' : [...origins],
      credentials: !any,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      exposedHeaders: [
        'ETag',
        'Location',
        'Link',
        'Idempotent-Replayed',
        'Preference-Applied',
        'Content-Location',
        ...(config.jsonServer ? ['X-Total-Count', 'Content-Range'] : []),
      ],
      maxAge: 600,
      strictPreflight: false,
      // Our OPTIONS handlers answer (204 with Allow), after the plugin has added its headers.
      preflightContinue: true,
    });
  }
  // Cookies are parsed only when a request has some (see request-context.ts).
  app.register(fastifyCookie, { hook: false });
  // Our parsers replace Fastify's own; the forms scope below adds the multipart one.
  bodyPlugin(app, { formFields: config.limits.parts });
  // Routes go in once the plugins above have loaded (the cookie decorators).
  app.after(() => {
    problemPlugin(app, unroutedRequest(app, config.publicDir));
    const forms: FormRoute[] = [];
    authRoutes(app, services, forms);
    fileRoutes(app, services, files);
    userSessionRoutes(app, services);
    realtimeRoutes(app, services);
    apiRoutes(app, services, forms);
    configRoutes(app, services, forms);
    adminRoutes(app);
    // Last, so that every path above (and the config's) is known and keeps its own.
    if (config.jsonServer) jsonServerRoutes(app, services, forms);
    // The routes that read forms, with the multipart parser: its hooks run on these alone.
    app.register(async (scope) => {
      await scope.register(fastifyMultipart, {
        limits: {
          parts: config.limits.parts,
          fieldSize: config.limits.fieldSize,
          fileSize: config.limits.multipart,
        },
      });
      for (const form of forms) scope.route({ method: form.method, url: form.url, handler: form.handler });
    });
    if (config.publicDir) staticFiles(app, config.publicDir);
  });
  return app;
}
