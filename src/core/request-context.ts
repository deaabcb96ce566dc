import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

const current = new AsyncLocalStorage<{ readonly requestId: string }>();

/**
 * Makes the request id of the request being served readable anywhere below it (the audit stream
 * records it), without passing it through every layer.
 */
export function registerRequestContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    current.run({ requestId: request.id }, done);
  });
}

/** The id of the request being served here, if any (a command-line tool serves none). */
export function currentRequestId(): string | undefined {
  return current.getStore()?.requestId;
}
