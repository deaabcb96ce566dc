import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { resolveTokenSecret } from '../../src/core/security/token-secret.js';

const log: FastifyBaseLogger = pino({ level: 'silent' });
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keel-secret-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('resolveTokenSecret', () => {
  it('uses TOKEN_SECRET when it is set', async () => {
    const secret = 'x'.repeat(40);
    expect(
      await resolveTokenSecret(loadConfig({ DATA_DIR: dataDir, TOKEN_SECRET: secret }), log),
    ).toBe(secret);
  });

  it('generates a private secret once and returns the same one afterwards', async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = await resolveTokenSecret(config, log);
    expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
    expect((await stat(join(dataDir, 'token-secret'))).mode & 0o777).toBe(0o600);
    expect(await resolveTokenSecret(config, log)).toBe(first);
  });

  it('gives every concurrent starter the same secret', async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const secrets = await Promise.all(
      Array.from({ length: 8 }, () => resolveTokenSecret(config, log)),
    );
    expect(new Set(secrets).size).toBe(1);
  });

  it('refuses to generate one in production', async () => {
    await expect(
      resolveTokenSecret(loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir }), log),
    ).rejects.toThrow(
      'missing environment variable TOKEN_SECRET: required when NODE_ENV=production',
    );
  });

  it('refuses to generate one with a database server, even in development', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://db/keel' });
    await expect(resolveTokenSecret(config, log)).rejects.toThrow(
      'missing environment variable TOKEN_SECRET: required when DATABASE_URL is set (every instance must sign with the same secret)',
    );
  });

  it('refuses a secret file that holds too short a secret', async () => {
    await writeFile(join(dataDir, 'token-secret'), 'short');
    await expect(resolveTokenSecret(loadConfig({ DATA_DIR: dataDir }), log)).rejects.toThrow(
      ConfigError,
    );
  });
});
