import { beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/core/security/passwords.js';
import { parseNewPassword } from '../../src/domain/identity/password.js';
import type { PasswordHasher } from '../../src/domain/identity/ports.js';

let hasher: PasswordHasher;
beforeAll(async () => {
  hasher = await createPasswordHasher({ memoryCost: 1024, timeCost: 1 });
});

const PASSWORD = parseNewPassword('correct horse battery staple');

describe('createPasswordHasher', () => {
  it('hashes with Argon2id and a fresh salt each time', async () => {
    const first = await hasher.hash(PASSWORD);
    expect(first).toMatch(/^\$argon2id\$/);
    expect(first).not.toContain(PASSWORD);
    expect(await hasher.hash(PASSWORD)).not.toBe(first);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash(PASSWORD);
    await expect(hasher.verify(hash, PASSWORD)).resolves.toBe(true);
    await expect(hasher.verify(hash, 'correct horse battery stapler')).resolves.toBe(false);
  });

  it('refuses every password when there is no stored hash', async () => {
    await expect(hasher.verify(undefined, PASSWORD)).resolves.toBe(false);
    await expect(hasher.verify(undefined, 'keel-dummy-password-never-matches')).resolves.toBe(
      false,
    );
  });
});
