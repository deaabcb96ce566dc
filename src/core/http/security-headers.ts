import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * Helmet's default security headers (Content-Security-Policy, Strict-Transport-Security,
 * X-Content-Type-Options and the rest), read once from a response Helmet decorated. Its
 * defaults depend on nothing in the request, so every response gets the same values. Running
 * its middleware for each request instead went through its chain of a dozen middlewares, each
 * setting its header through Node's checks: 5.4 % of Keel's busy CPU on `GET /tags`, against
 * 0.7 % now (docs/performance.md).
 */
function helmetHeaders(): ReadonlyMap<string, string> {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  // Helmet passes on an error only for options it cannot use; its defaults have none.
  helmet()(response.req, response, (error?: unknown) => {
    if (error !== undefined) throw new Error('helmet refused its options', { cause: error });
  });
  return new Map(
    Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)]),
  );
}

/** What every answer says of caching (below); the router's refusals, which no hook sees, too. */
export const NO_STORE = ['cache-control', 'no-store'] as const;

/**
 * Sets Helmet's headers on every reply, before its route runs, errors and 404s included, and
 * `Cache-Control: no-store`. Without it nothing told a shared cache (a CDN, a corporate proxy) not
 * to keep an answer: it could keep a token (`GET /user`, login), or an anonymous read and hand it
 * to a signed-in reader (wrong `favorited` and `following`: the routes that personalize send no
 * `Vary: Authorization`), or keep serving a view that a write has changed, which no invalidation of
 * Keel's reaches (spec.md §5).
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const headers = new Map([...helmetHeaders(), NO_STORE]);
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.header(name, value);
    done();
  });
}
