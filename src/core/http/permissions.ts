import type { Capability } from '../../domain/shared/roles.js';

/**
 * What a route requires of its caller (spec.md §8), declared by every route in
 * `config.permission`; a route without one can't be registered (`registerAccessControl`).
 *
 * - `public`: anyone; a token is not even read.
 * - `public-personalized`: anyone; a token, when sent, must be current (else 401) and adds the
 *   caller's view (`following`, `favorited`).
 * - `authenticated`: any signed-in account (401 without a current token).
 * - a capability: a signed-in account whose role grants it (401 as above, else 403).
 */
export type Permission = 'public' | 'public-personalized' | 'authenticated' | Capability;

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
  }
}

/** The capability a route needs beyond a current token, if any. */
export function capabilityOf(permission: Permission): Capability | undefined {
  return permission === 'public' ||
    permission === 'public-personalized' ||
    permission === 'authenticated'
    ? undefined
    : permission;
}
