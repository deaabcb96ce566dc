import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Helmet's default security headers (Content-Security-Policy, Strict-Transport-Security,
 * X-Content-Type-Options and the rest) on every response. Helmet's middleware is built once
 * here; @fastify/helmet, which Keel used before, builds it again for every request, parsing the
 * CSP directives each time (docs/performance.md).
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const secure = helmet();
  app.addHook('onRequest', (request, reply, done) => {
    // Helmet only sets headers, then calls on (it throws rather than pass an error).
    secure(request.raw, reply.raw, () => {
      done();
    });
  });
}
