import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { stringify } from 'safe-stable-stringify';
import type { IdempotencyStore } from '../idempotency.js';
import { IdempotencyKeyError } from './idempotency-error.js';

/** The request header, lower-cased as Node gives it. */
export const IDEMPOTENCY_KEY = 'idempotency-key';

/** How a creating POST keeps and replays its answer; by default the answer is kept as it is. */
export interface IdempotentRoute {
  /**
   * Whose key it is on an anonymous route (an authenticated caller's keys are theirs): a
   * value of the request, kept only as an HMAC, so unrelated callers' keys never meet.
   */
  readonly anonymousScope?: (request: FastifyRequest) => string;
  /** What to store of the first answer (JSON). Never a secret: the table is readable by operators. */
  readonly keep?: (answer: unknown) => Promise<unknown>;
  /** The replayed answer, rebuilt from what `keep` stored and the (identical) repeated request. */
  readonly replay?: (kept: unknown, request: FastifyRequest) => Promise<unknown>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This POST creates something and honours `Idempotency-Key` (spec.md §4). */
    idempotency?: IdempotentRoute;
  }
}

const hmac = (key: string, text: string): string =>
  createHmac('sha256', key).update(text).digest('base64url');

/**
 * Honours `Idempotency-Key` on every route registered in `app` after this call that declares
 * `config.idempotency` (and the header in its schema, so a malformed key is a 400 before the
 * handler). The handler then runs inside the store's transaction and must return its answer
 * rather than send it. The fingerprint is an HMAC under `fingerprintKey`, so the stored hash of
 * a registration (password included) can't be brute-forced from the database alone.
 */
export function registerIdempotency(
  app: FastifyInstance,
  store: IdempotencyStore,
  fingerprintKey: string,
): void {
  app.addHook('onRoute', (route) => {
    const options = route.config?.idempotency;
    if (options === undefined) return;
    const headers = (route.schema?.headers as { properties?: object } | undefined)?.properties;
    if (headers === undefined || !(IDEMPOTENCY_KEY in headers)) {
      throw new Error(`route POST ${route.url} must declare the ${IDEMPOTENCY_KEY} header`);
    }
    // The same route under /api and /api/v1 is the same request.
    const routeId = `${route.method.toString()} ${route.url.slice(route.prefix.length)}`;
    const handler = route.handler as (
      request: FastifyRequest,
      reply: FastifyReply,
    ) => Promise<unknown>;

    const keyed: RouteHandlerMethod = async (request, reply) => {
      const key = request.headers[IDEMPOTENCY_KEY];
      if (typeof key !== 'string') return handler(request, reply);
      // Keys sorted at every depth: the same JSON in another order is the same request.
      const payload: object = { params: request.params, body: request.body };
      const canonical: string = stringify(payload);
      const fingerprint = hmac(fingerprintKey, `${routeId}\n${canonical}`);
      const scope =
        request.viewer !== undefined
          ? `user:${String(request.viewer)}`
          : `anonymous:${hmac(fingerprintKey, options.anonymousScope?.(request) ?? '')}`;
      const outcome = await store.once({ scope, key, fingerprint }, async () => {
        const answer = await handler(request, reply);
        if (answer === reply) throw new Error(`${routeId} must return its answer, not send it`);
        const kept = options.keep === undefined ? answer : await options.keep(answer);
        return { result: answer, answer: { status: reply.statusCode, kept } };
      });
      switch (outcome.kind) {
        case 'first':
          return outcome.result;
        case 'replay': {
          const { status, kept } = outcome.answer;
          void reply.code(status).header('idempotent-replayed', 'true');
          return options.replay === undefined ? kept : options.replay(kept, request);
        }
        case 'reused':
        case 'busy':
          throw new IdempotencyKeyError(outcome.kind);
      }
    };
    route.handler = keyed;
  });
}
