import type {
  FastifyInstance,
  FastifyRequest,
  onRequestAsyncHookHandler,
  RouteOptions,
} from 'fastify';
import { grants } from '../../domain/shared/roles.js';
import type { Principal, AccessCheck } from '../../domain/identity/user.js';
import { UnauthenticatedError } from '../../domain/shared/errors.js';
import type { UserId, Viewer } from '../../domain/shared/ids.js';
import { PermissionDeniedError } from './permission-denied-error.js';
import { capabilityOf, type Permission } from './permissions.js';

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer;
    /** The caller, on a route that read a current token; `undefined` otherwise. */
    principal: Principal | undefined;
  }
}

/**
 * Turns a bearer token into the caller it authenticates, its account's standing read as `check`
 * says, or throws `UnauthenticatedError`.
 */
export type Authenticator = (token: string, check: AccessCheck) => Promise<Principal>;

/** The permission of a route a plugin registers itself (it takes no `config`), if it is one. */
export type PluginRoutePermission = (route: RouteOptions) => Permission | undefined;

const SCHEME = /^(?:Token|Bearer) +(\S+)$/i;

/**
 * The token from `Authorization: Token <jwt>` or `Bearer <jwt>`; `undefined` when absent. The
 * bench's bare reads read tokens with it too (bench/ceilings/bare-reads.ts).
 */
export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') return undefined;
  const token = SCHEME.exec(header.trim())?.[1];
  if (token === undefined) throw new UnauthenticatedError('invalid');
  return token;
}

const READS: readonly string[] = ['GET', 'HEAD'];

/**
 * How fresh the standing a route's token is checked against must be: a read that needs no
 * capability may take it as this instance last read it; anything that changes something, or
 * reads what a capability guards, needs it as stored (spec.md §8). A route that takes both reads
 * and writes is refused: Fastify copies its `GET` as a `HEAD` route of its own, with the same
 * handler, which would then run on the standing a read may use.
 */
function accessCheck(route: RouteOptions, permission: Permission): AccessCheck {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const reads = methods.filter((method) => READS.includes(method));
  if (reads.length > 0 && reads.length < methods.length) {
    throw new Error(`route ${methods.join(', ')} ${route.url} must not take both reads and writes`);
  }
  return reads.length > 0 && capabilityOf(permission) === undefined ? 'recent' : 'current';
}

/** Reads the token as `permission` says and refuses the caller it does not allow. */
function enforcement(
  permission: Exclude<Permission, 'public'>,
  authenticate: Authenticator,
  check: AccessCheck,
): onRequestAsyncHookHandler {
  const capability = capabilityOf(permission);
  return async (request) => {
    const token = tokenOf(request);
    if (token === undefined) {
      if (permission === 'public-personalized') return;
      throw new UnauthenticatedError('missing');
    }
    const principal = await authenticate(token, check);
    if (capability !== undefined && !grants(principal.role, capability)) {
      throw new PermissionDeniedError(capability);
    }
    request.principal = principal;
    request.viewer = principal.userId;
  };
}

/**
 * Access control for every route registered after this call, so call it before any plugin that
 * registers routes. Default deny: a route must declare `config.permission` (or be one of
 * `pluginRoutes`), else its registration throws and the app does not start. Its enforcement is
 * attached to the route itself, so it runs whichever scope registered the route: after the
 * app-wide request hooks (request id, security headers), before the body is read.
 */
export function registerAccessControl(
  app: FastifyInstance,
  authenticate: Authenticator,
  pluginRoutes: PluginRoutePermission,
): void {
  app.decorateRequest('viewer', undefined);
  app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission ?? pluginRoutes(route);
    if (permission === undefined) {
      throw new Error(
        `route ${route.method.toString()} ${route.url} must declare config.permission`,
      );
    }
    // Kept in the route's config, where the route table shows it (`permissionMeta`).
    route.config = { ...route.config, permission };
    if (permission === 'public') return;
    const own = route.onRequest ?? [];
    route.onRequest = [
      ...(Array.isArray(own) ? own : [own]),
      enforcement(permission, authenticate, accessCheck(route, permission)),
    ];
  });
}

/**
 * For `routerOptions.buildPrettyMeta`: `app.printRoutes({ includeMeta: ['permission'] })` then
 * shows every route's permission, which `tests/integration/permissions.test.ts` walks.
 */
export function permissionMeta(route: {
  readonly store: { readonly config?: { readonly permission?: Permission } };
}): { readonly permission: Permission | undefined } {
  return { permission: route.store.config?.permission };
}

/** The authenticated user of a route that needs a token. */
export function viewerOf(request: FastifyRequest): UserId {
  if (request.viewer === undefined) throw new UnauthenticatedError('missing');
  return request.viewer;
}

/** The authenticated caller of a route that needs a token. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new UnauthenticatedError('missing');
  return request.principal;
}
