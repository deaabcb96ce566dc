import type { Capability } from '../../domain/shared/roles.js';

/**
 * A signed-in caller whose role does not grant the route's capability; answered 403 `forbidden`
 * by the error handler. Raised by the access-control hook before the body is read, like the
 * other refusals of `core/http`, rather than by a domain rule.
 */
export class PermissionDeniedError extends Error {
  constructor(readonly permission: Capability) {
    super(`this route requires the ${permission} permission`);
    this.name = 'PermissionDeniedError';
  }
}
