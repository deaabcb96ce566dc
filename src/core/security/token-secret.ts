import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError, TOKEN_SECRET_MIN_BYTES, type Config } from '../config.js';
import { createWhole, readIfPresent } from '../files.js';

const SECRET_FILE = 'token-secret';

async function readSecret(file: string): Promise<string | undefined> {
  return (await readIfPresent(file))?.trim();
}

/**
 * The token signing secret: `TOKEN_SECRET` when set (always in production or with a database
 * server). Otherwise a random secret generated once and kept in `DATA_DIR`, so development
 * tokens survive restarts.
 */
export async function resolveTokenSecret(config: Config, log: FastifyBaseLogger): Promise<string> {
  if (config.tokenSecret !== undefined) return config.tokenSecret;
  if (config.env === 'production') {
    throw new ConfigError(
      'missing environment variable TOKEN_SECRET: required when NODE_ENV=production',
    );
  }
  // A database server means several instances may serve one client: they must share the secret.
  if (config.database.kind === 'postgres') {
    throw new ConfigError(
      'missing environment variable TOKEN_SECRET: required when DATABASE_URL is set (every instance must sign with the same secret)',
    );
  }
  const file = join(config.dataDir, SECRET_FILE);
  log.warn(
    { file },
    'TOKEN_SECRET is not set: using a generated development secret (never do this in production)',
  );
  await mkdir(config.dataDir, { recursive: true });
  const existing = await readSecret(file);
  // Private to its owner; if another process created it first, its secret wins.
  if (existing === undefined) await createWhole(file, randomBytes(48).toString('base64url'), 0o600);
  const secret = existing ?? (await readSecret(file));
  if (secret === undefined || Buffer.byteLength(secret) < TOKEN_SECRET_MIN_BYTES) {
    throw new ConfigError(
      `${file} holds no usable secret (at least ${String(TOKEN_SECRET_MIN_BYTES)} bytes): delete it or set TOKEN_SECRET`,
    );
  }
  return secret;
}
