import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyInstance,
  type FastifyRouterOptions,
  type RawServerDefault,
} from 'fastify';
import type { Registry } from 'prom-client';
import { operationsRoutes } from '../api/operations.js';
import { adminRoutes } from '../api/v1/admin.js';
import { articleRoutes } from '../api/v1/articles.js';
import { commentRoutes } from '../api/v1/comments.js';
import { profileRoutes } from '../api/v1/profiles.js';
import { userRoutes } from '../api/v1/users.js';
import { createArticleReader } from '../domain/articles/article-reader.js';
import { slugSuffixFrom } from '../domain/shared/slug.js';
import { createArticleService } from '../domain/articles/article-service.js';
import { createCommentService } from '../domain/comments/comment-service.js';
import { createAccountService } from '../domain/identity/account-service.js';
import { createAdministration } from '../domain/identity/administration.js';
import { createProfileService } from '../domain/profiles/profile-service.js';
import type { Mailer } from '../domain/notifications/ports.js';
import type { Atomic } from '../domain/shared/transaction.js';
import { createArticleQueries } from '../infrastructure/db/articles/article-queries.js';
import { createArticleRepository } from '../infrastructure/db/articles/article-repository.js';
import { createCommentQueries } from '../infrastructure/db/comments/comment-queries.js';
import { createCommentRepository } from '../infrastructure/db/comments/comment-repository.js';
import type { DatabaseHandle } from '../infrastructure/db/database.js';
import { databaseStatus } from '../infrastructure/db/database-status.js';
import { createAccountRepository } from '../infrastructure/db/identity/account-repository.js';
import { createFollowRepository } from '../infrastructure/db/profiles/follow-repository.js';
import { createProfileQueries } from '../infrastructure/db/profiles/profile-queries.js';
import {
  cachedAccountRepository,
  cachedArticleQueries,
  cachedProfileQueries,
} from '../infrastructure/cache/cached-queries.js';
import { createLocalInvalidationBus } from '../infrastructure/cache/invalidation-bus.js';
import {
  invalidatingAccountService,
  invalidatingAdministration,
  invalidatingArticleService,
} from '../infrastructure/cache/invalidating-services.js';
import { createMemoryRateLimitStore } from '../infrastructure/cache/memory-rate-limit-store.js';
import { createReadCaches } from '../infrastructure/cache/read-caches.js';
import { createRedisClient } from '../infrastructure/cache/redis-client.js';
import { createRedisGuard } from '../infrastructure/cache/redis-guard.js';
import { createRedisRateLimitStore } from '../infrastructure/cache/redis-rate-limit-store.js';
import { createRedisInvalidationBus } from '../infrastructure/cache/redis-invalidation-bus.js';
import { createResilientRateLimitStore } from '../infrastructure/cache/resilient-rate-limit-store.js';
import { createAuditLog } from '../infrastructure/db/audit/audit-log.js';
import { createAuditTrail } from '../infrastructure/db/audit/audit-trail.js';
import { createIdempotencyStore } from '../infrastructure/db/idempotency-store.js';
import { forgetDeliveredEvents } from '../infrastructure/db/outbox/delivery-store.js';
import { createEventConsumers } from '../infrastructure/events/consumers.js';
import { createOutbox } from '../infrastructure/events/outbox.js';
import {
  databaseRetries,
  isDatabaseUnavailable,
  retryingReads,
  writeRetry,
} from '../infrastructure/db/retry.js';
import { transactionOn } from '../infrastructure/db/unit-of-work.js';
import type { Config } from './config.js';
import { permissionMeta, registerAccessControl } from './http/auth.js';
import { registerCacheMetrics } from './http/cache-metrics.js';
import { clientErrorHandler } from './http/client-error-handler.js';
import { registerErrorHandlers, routerErrorHandler } from './http/error-handler.js';
import { redisStatus, type DependencyStatus } from './health.js';
import { cleanUpPeriodically, HOURLY_CLEANUP } from './housekeeping.js';
import { currentRequestId, registerRequestContext } from './request-context.js';
import { registerIdempotency } from './http/idempotency.js';
import { registerJsonBody } from './http/json-body.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerMetrics } from './http/metrics.js';
import { registerRateLimitMetrics, registerRateLimits } from './http/rate-limit.js';
import { validatorCompiler } from './http/validator.js';
import { openApiDocument } from './http/openapi.js';
import { loggerOptions } from './logger.js';
import { createPasswordHasher, type Argon2Cost } from './security/passwords.js';
import { createTokenService } from './security/tokens.js';
import { ErrorResponse } from '../schemas/error.js';

/** Bodies larger than this are refused before parsing; an article body is at most 100k characters. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Where Swagger UI serves the documentation pages. */
const DOCS_PREFIX = '/docs';

/** A key for one purpose derived from the token secret: never the signing key itself. */
function deriveKey(tokenSecret: string, purpose: string): string {
  return createHmac('sha256', tokenSecret).update(`keel ${purpose}`).digest('base64url');
}

/**
 * `buildPrettyMeta` is find-my-way's (Fastify's router) and missing from its types: with it, the
 * route table (`printRoutes({ includeMeta: ['permission'] })`) shows each route's permission.
 */
const routerOptions: FastifyRouterOptions<RawServerDefault> & {
  readonly buildPrettyMeta: typeof permissionMeta;
} = { maxParamLength: 200, buildPrettyMeta: permissionMeta };

export interface AppOptions {
  readonly config: Config;
  readonly database: DatabaseHandle;
  /** Serves the article reads (lists, feed, by slug, tags); the primary serves everything else. */
  readonly readDatabase?: DatabaseHandle;
  readonly tokenSecret: string;
  /** Tests lower the Argon2 cost; production keeps the default. */
  readonly passwordCost?: Argon2Cost;
  /** Tests capture mail; otherwise SMTP with SMTP_URL, the log in development, none in production. */
  readonly mailer?: Mailer;
}

/**
 * The outbox (spec.md §4.1) and its consumers (`createEventConsumers`). This instance's relay
 * runs from ready to close (unless `OUTBOX_RELAY=off`); delivered events are forgotten after the
 * retention period.
 */
function registerOutbox(app: FastifyInstance, options: AppOptions, registry: Registry) {
  const { config, database } = options;
  const { events: settings } = config;
  const { consumers, close } = createEventConsumers(config, database.db, app.log, {
    mailer: options.mailer,
    registry,
  });
  const outbox = createOutbox(database.db, {
    consumers,
    pollMs: settings.pollMs,
    leaseMs: settings.leaseMs,
    maxAttempts: settings.maxAttempts,
    registry,
    log: app.log,
  });
  if (settings.relay) {
    app.addHook('onReady', (done) => {
      outbox.relay.start();
      done();
    });
  }
  // Before the database closes: the batch in hand is settled, then the connections go.
  app.addHook('preClose', async () => {
    await outbox.relay.stop();
    await close();
  });
  cleanUpPeriodically(app, 'delivered outbox events', HOURLY_CLEANUP, () =>
    forgetDeliveredEvents(database.db, settings.retentionDays),
  );
  return outbox;
}

/**
 * The composition root: builds every adapter and service and registers every route. The only
 * module that sees all layers.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, database } = options;
  const { db } = database;
  const readDb = (options.readDatabase ?? database).db;
  const app = Fastify({
    logger: loggerOptions(config),
    bodyLimit: BODY_LIMIT_BYTES,
    // Honour a caller's X-Request-Id when it is sane, so one id follows a request across services.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions,
    // Behind a load balancer the client's address (for per-IP rate limits) is in X-Forwarded-For.
    trustProxy: (_address, hop) => hop < config.trustProxyHops,
    frameworkErrors: routerErrorHandler,
    clientErrorHandler,
    // While closing, requests on open connections are still served (with `Connection: close`,
    // below) instead of Fastify's bare 503, so they keep Keel's error contract and request id.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  registerRequestContext(app);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // While closing, a response that finishes an in-flight request also ends its keep-alive
  // connection; otherwise the client would hold it open and the close would never complete.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  registerJsonBody(app);
  registerErrorHandlers(app, isDatabaseUnavailable);

  const metrics = registerMetrics(app, () => database.poolStats());
  metrics.registerMetric(databaseRetries);
  const { recorder: events } = registerOutbox(app, options, metrics);
  // One unit of work per command: its change and its events commit together (spec.md §4.1); a
  // transaction PostgreSQL rolled back (deadlock, serialization failure) is run again.
  const atomic: Atomic = (work) =>
    transactionOn(db, work, (attempt) => writeRetry.execute(attempt));
  // Rate limits: shared through Redis when REDIS_URL is set (counted per instance while Redis is
  // down or slow), otherwise counted in this process. The calls to Redis a request waits for
  // (rate limits, invalidations) share one timeout and breaker, its guard.
  const redis =
    config.redisUrl === undefined
      ? undefined
      : {
          client: createRedisClient(config.redisUrl, app.log),
          guard: createRedisGuard(app.log),
          // A connection of its own: once subscribed, Redis accepts no other command on it.
          subscriber: createRedisClient(config.redisUrl, app.log),
        };
  const resilientStore =
    redis === undefined
      ? undefined
      : createResilientRateLimitStore(
          createRedisRateLimitStore(redis.client),
          createMemoryRateLimitStore(),
          redis.guard,
          app.log,
        );
  const rateLimitStore = resilientStore ?? createMemoryRateLimitStore();
  const rateLimitMetrics = registerRateLimitMetrics(metrics, resilientStore?.health);
  if (redis !== undefined) {
    // Connect now, not on the first request (which would be counted in memory meanwhile).
    redis.client.connect().catch((error: unknown) => {
      app.log.warn(
        { err: error },
        'redis unreachable at start: rate limits per instance until it answers',
      );
    });
    app.addHook('onClose', (_instance, done) => {
      redis.client.disconnect();
      redis.subscriber.disconnect();
      done();
    });
  }
  // Anonymous views, the lists' cards and the tokens' standings for reads cached in this process
  // (spec.md §5); made before the accounts, whose reads' tokens are checked from it. With Redis,
  // invalidations reach every instance on the subscriber connection; without it, only an embedded
  // database (whose one process is the only writer) is cached.
  const cacheMetrics = registerCacheMetrics(metrics, redis !== undefined);
  const caches = createReadCaches(cacheMetrics.request);
  const invalidations =
    redis === undefined
      ? createLocalInvalidationBus(caches, database.kind === 'embedded')
      : createRedisInvalidationBus(caches, {
          publisher: redis.client,
          guard: redis.guard,
          subscriber: redis.subscriber,
          log: app.log,
          metrics: cacheMetrics,
        });
  const tokens = createTokenService(options.tokenSecret, config.tokenTtlSeconds);
  const hasher = await createPasswordHasher(options.passwordCost);
  const audit = createAuditTrail(db, currentRequestId);
  const accountRepository = createAccountRepository(db);
  const accountService = createAccountService({
    atomic,
    events,
    audit,
    // A read's token is checked against the standing cached by user id (spec.md §5).
    accounts: cachedAccountRepository(accountRepository, caches),
    hasher,
    tokens,
  });
  // Before any plugin registers a route: every route, the plugins' too, must declare its
  // permission. A valid signature is not enough: the account must exist and not have signed out.
  registerAccessControl(
    app,
    async (token, check) => accountService.authenticate(await tokens.verify(token), check),
    // The documentation pages (@fastify/swagger-ui) and the CORS preflight (@fastify/cors) are
    // registered by their plugins, which take no route config.
    (route) =>
      route.url === DOCS_PREFIX ||
      route.url.startsWith(`${DOCS_PREFIX}/`) ||
      (route.method === 'OPTIONS' && route.url === '*')
        ? 'public'
        : undefined,
  );
  registerSecurityHeaders(app);
  await app.register(cors, {
    origin: config.corsOrigins.length === 0 ? false : [...config.corsOrigins],
    // Every method a route takes: the plugin's default (GET, HEAD, POST) left a browser on a
    // listed origin unable to edit, delete, unfavorite or unfollow.
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    // The answers' own headers a browser script may read (beyond the CORS-safelisted ones): when
    // to retry a 429 or 503, the id to quote in a report, whether a keyed write was replayed.
    exposedHeaders: ['Retry-After', 'X-Request-Id', 'Idempotent-Replayed'],
  });
  await app.register(swagger, openApiDocument);
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  app.addSchema(ErrorResponse);
  app.get('/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, () =>
    app.swagger(),
  );

  const readiness = async (): Promise<DependencyStatus[]> => [
    ...(await databaseStatus(database.probe, app.log)),
    ...(resilientStore === undefined ? [] : [redisStatus(resilientStore.health().breaker)]),
    ...(options.readDatabase === undefined
      ? []
      : (await databaseStatus(options.readDatabase.probe, app.log)).map((check) => ({
          ...check,
          name: `read ${check.name}`,
        }))),
  ];

  const idempotencyKeys = createIdempotencyStore(db, config.idempotencyWaitMs);
  cleanUpPeriodically(app, 'expired idempotency keys', HOURLY_CLEANUP, () =>
    idempotencyKeys.expire(),
  );
  // Reads retry on transient failures (a lost connection, a deadlock): infrastructure/db/retry.ts.
  const articleQueries = retryingReads(createArticleQueries(db));

  const accounts = invalidatingAccountService(accountService, invalidations);
  const profiles = createProfileService({
    atomic,
    events,
    follows: createFollowRepository(db),
    queries: cachedProfileQueries(retryingReads(createProfileQueries(db)), caches),
  });
  const articles = createArticleService({
    // Its own transaction, or the keyed request's (unit-of-work.ts); a transaction PostgreSQL
    // rolled back (deadlock, serialization failure) is run again.
    transaction: (work) =>
      transactionOn(
        db,
        (tx) => work(createArticleRepository(tx)),
        (attempt) => writeRetry.execute(attempt),
      ),
    events,
    audit,
    queries: articleQueries,
    slugSuffix: () => slugSuffixFrom(randomBytes(8)),
  });
  // Writes read their result back from the primary (authors read their own writes); the other
  // article reads may come from a replica; the anonymous article, the lists' cards and the tags
  // come from the cache, filled from the primary.
  const readQueries = cachedArticleQueries(
    retryingReads(createArticleQueries(readDb)),
    articleQueries,
    caches,
  );
  const reader = createArticleReader(readQueries);
  const comments = createCommentService({
    atomic,
    events,
    audit,
    comments: createCommentRepository(db),
    queries: retryingReads(createCommentQueries(db)),
  });

  const invalidatingArticles = invalidatingArticleService(articles, invalidations);
  const routes = [
    userRoutes(accounts),
    profileRoutes(profiles),
    articleRoutes(invalidatingArticles, reader, readQueries),
    commentRoutes(comments),
  ];
  const administration = invalidatingAdministration(
    createAdministration({
      atomic,
      events,
      audit,
      accounts: accountRepository,
      auditLog: createAuditLog(db),
    }),
    invalidations,
  );
  await app.register(async (api) => {
    // After auth (writes count per user); every write route must declare its limits.
    registerRateLimits(api, rateLimitStore, config.rateLimits, {
      // A key of its own, derived from the token secret: never the signing key itself.
      accountKey: deriveKey(options.tokenSecret, 'rate-limit accounts'),
      metrics: rateLimitMetrics,
    });
    registerIdempotency(api, idempotencyKeys, deriveKey(options.tokenSecret, 'idempotency'));
    await api.register(operationsRoutes(readiness, metrics));
    // `/api/v1` is canonical; `/api` serves the same v1 routes forever, for existing Conduit
    // clients.
    for (const prefix of ['/api/v1', '/api']) {
      for (const plugin of routes) await api.register(plugin, { prefix });
    }
    // Keel's own API, so only under its versioned prefix.
    await api.register(adminRoutes({ administration, articles: invalidatingArticles, comments }), {
      prefix: '/api/v1/admin',
    });
  });
  return app;
}
