/**
 * Roles and what they may do beyond what every signed-in account may (spec.md §8). Least
 * privilege: a role grants only the capabilities listed here, nothing is implied, and every
 * account starts as `user`.
 */
export const ROLES = ['user', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Actions on other people's things or on the system, each granted by a role. */
export type Capability =
  'articles:moderate' | 'comments:moderate' | 'accounts:suspend' | 'roles:manage' | 'audit:read';

/** The one role → capabilities table. Changing a role's row changes what every route allows it. */
const CAPABILITIES_OF: Readonly<Record<Role, ReadonlySet<Capability>>> = {
  user: new Set(),
  moderator: new Set(['articles:moderate', 'comments:moderate', 'accounts:suspend']),
  admin: new Set([
    'articles:moderate',
    'comments:moderate',
    'accounts:suspend',
    'roles:manage',
    'audit:read',
  ]),
};

export function grants(role: Role, capability: Capability): boolean {
  return CAPABILITIES_OF[role].has(capability);
}
