import { describe, expect, it } from 'vitest';
import { grants, ROLES, type Capability } from '../../src/domain/shared/roles.js';

const CAPABILITIES: readonly Capability[] = [
  'articles:moderate',
  'comments:moderate',
  'accounts:suspend',
  'roles:manage',
  'audit:read',
];

describe('grants', () => {
  it('gives a user no capability: only what every signed-in account may do', () => {
    expect(CAPABILITIES.filter((capability) => grants('user', capability))).toEqual([]);
  });

  it('gives a moderator moderation and suspension, not roles or the audit stream', () => {
    expect(CAPABILITIES.filter((capability) => grants('moderator', capability))).toEqual([
      'articles:moderate',
      'comments:moderate',
      'accounts:suspend',
    ]);
  });

  it('gives an admin every capability', () => {
    expect(CAPABILITIES.filter((capability) => grants('admin', capability))).toEqual(CAPABILITIES);
  });

  it('orders the roles: each grants everything the one before it does', () => {
    for (const [index, role] of ROLES.entries()) {
      const below = ROLES[index - 1];
      if (below === undefined) continue;
      for (const capability of CAPABILITIES) {
        if (grants(below, capability)) expect(grants(role, capability), capability).toBe(true);
      }
    }
  });
});
