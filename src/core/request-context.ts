import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

const current = new AsyncLocalStorage<{
  readonly requestId: string;
  readonly startedAt: number;
}>();

/**
 * Makes the request id of the request being served, and when it began, readable anywhere below
 * it (the audit stream records the id, the database bounds the request's statements by the
 * time), without passing them through every layer.
 */
export function registerRequestContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    current.run({ requestId: request.id, startedAt: performance.now() }, done);
  });
}

/** The id of the request being served here, if any (a command-line tool serves none). */
export function currentRequestId(): string | undefined {
  return current.getStore()?.requestId;
}

/** When the request being served here began (`performance.now()`), if any. */
export function currentRequestStart(): number | undefined {
  return current.getStore()?.startedAt;
}
