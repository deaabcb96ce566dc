import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../../domain/shared/errors.js';
import type { UserId, Viewer } from '../../domain/shared/ids.js';

/**
 * What a route needs from the caller: `required` (401 without a valid token), `optional`
 * (anonymous allowed, a bad token still 401) or `none` (the token is not even read).
 */
export type AuthMode = 'required' | 'optional' | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
  }
  interface FastifyRequest {
    viewer: Viewer;
  }
}

/** Turns a bearer token into the user it authenticates, or throws `UnauthenticatedError`. */
export type Authenticator = (token: string) => Promise<UserId>;

const SCHEME = /^(?:Token|Bearer) +(\S+)$/i;

/** The token from `Authorization: Token <jwt>` or `Bearer <jwt>`; `undefined` when absent. */
function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') return undefined;
  const token = SCHEME.exec(header.trim())?.[1];
  if (token === undefined) throw new UnauthenticatedError('invalid');
  return token;
}

/**
 * Authentication for every route registered in `app` after this call. Default deny: a route
 * that does not declare `config.auth` cannot even be registered.
 */
export function registerAuth(app: FastifyInstance, authenticate: Authenticator): void {
  app.decorateRequest('viewer', undefined);
  app.addHook('onRoute', (route) => {
    if (route.config?.auth === undefined) {
      throw new Error(`route ${route.method.toString()} ${route.url} must declare config.auth`);
    }
  });
  app.addHook('onRequest', async (request) => {
    const mode = request.routeOptions.config.auth;
    if (mode === 'none') return;
    const token = tokenOf(request);
    if (token === undefined) {
      if (mode === 'required') throw new UnauthenticatedError('missing');
      return;
    }
    request.viewer = await authenticate(token);
  });
}

/** The authenticated user of a `required` route. */
export function viewerOf(request: FastifyRequest): UserId {
  if (request.viewer === undefined) throw new UnauthenticatedError('missing');
  return request.viewer;
}
