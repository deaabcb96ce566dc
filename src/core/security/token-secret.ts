import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';

const SECRET_FILE = 'token-secret';

/**
 * The token signing secret: `TOKEN_SECRET` when set (always in production). Otherwise a random
 * secret generated once and kept in `DATA_DIR`, so development tokens survive restarts.
 */
export async function resolveTokenSecret(config: Config, log: FastifyBaseLogger): Promise<string> {
  if (config.tokenSecret !== undefined) return config.tokenSecret;
  const file = join(config.dataDir, SECRET_FILE);
  log.warn(
    { file },
    'TOKEN_SECRET is not set: using a generated development secret (never do this in production)',
  );
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(48).toString('base64url');
  await mkdir(config.dataDir, { recursive: true });
  // 'wx' fails if another process created the file meanwhile; then its secret wins.
  await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}
