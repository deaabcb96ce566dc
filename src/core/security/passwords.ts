import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../../domain/identity/ports.js';

/** Argon2id cost; OWASP's 2024 minimum is 19 MiB of memory with 2 passes. */
export interface Argon2Cost {
  readonly memoryCost: number;
  readonly timeCost: number;
}

export const DEFAULT_ARGON2_COST: Argon2Cost = { memoryCost: 19_456, timeCost: 2 };

/**
 * Argon2id hashing on libuv's thread pool, so a login never blocks the event loop.
 * The dummy hash gives unknown emails the same cost as a wrong password.
 */
export async function createPasswordHasher(
  cost: Argon2Cost = DEFAULT_ARGON2_COST,
): Promise<PasswordHasher> {
  // The library's default algorithm is Argon2id (its const enum can't be imported here).
  const options = { parallelism: 1, ...cost };
  const dummyHash = await hash('keel-dummy-password-never-matches', options);
  return {
    hash: (password) => hash(password, options),
    async verify(storedHash, password) {
      const matches = await verify(storedHash ?? dummyHash, password);
      return storedHash !== undefined && matches;
    },
  };
}
