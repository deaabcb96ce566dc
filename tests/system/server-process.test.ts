import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The README's first command, as a process: `npm start` runs src/server.ts on an embedded
 * database under DATA_DIR. Started here directly (tsx, as the script does) on port 0.
 */

const ROOT = join(import.meta.dirname, '../..');

interface Started {
  readonly child: ChildProcess;
  readonly origin: string;
  readonly lines: string[];
}

/** The test runner's environment without database or secret settings, plus `overrides`. */
function environment(overrides: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([key]) => key !== 'TOKEN_SECRET' && key !== 'DATABASE_URL',
  );
  return {
    ...Object.fromEntries(inherited),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

function run(overrides: Readonly<Record<string, string>>): ChildProcess {
  return spawn(join(ROOT, 'node_modules/.bin/tsx'), ['src/server.ts'], {
    cwd: ROOT,
    env: environment(overrides),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts Keel and resolves once it logs the address it listens on. */
function start(dataDir: string): Promise<Started> {
  const child = run({ NODE_ENV: 'development', DATA_DIR: dataDir });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    if (child.stdout === null) throw new Error('no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const origin = /Keel listening on (http:\/\/[^,]+),/.exec(line)?.[1];
      if (origin !== undefined) resolve({ child, origin, lines });
    });
    child.once('exit', (code) => {
      reject(new Error(`exited with ${String(code)} before listening:\n${lines.join('\n')}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
}

/** Runs Keel to completion and returns its exit code and everything it printed. */
async function runToExit(
  overrides: Readonly<Record<string, string>>,
): Promise<{ code: number | null; output: string }> {
  const child = run(overrides);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { code: await exitOf(child), output };
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keel-server-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('npm start (embedded mode)', { timeout: 60_000 }, () => {
  it('migrates a fresh data directory, prints the docs URL, serves the API and stops cleanly on SIGTERM', async () => {
    const { child, origin, lines } = await start(dataDir);
    expect(lines.join('\n')).toContain(`API docs at ${origin}/docs`);
    expect(lines.join('\n')).toContain('TOKEN_SECRET is not set');

    const tags = await fetch(`${origin}/api/v1/tags`);
    expect(tags.status).toBe(200);
    expect(await tags.json()).toEqual({ tags: [] });
    const docs = await fetch(`${origin}/docs`);
    expect(docs.status).toBe(200);

    const secret = await stat(join(dataDir, 'token-secret'));
    expect(secret.mode & 0o777).toBe(0o600);

    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('keeps data and the generated secret across restarts, so tokens stay valid', async () => {
    const first = await start(dataDir);
    const registered = await fetch(`${first.origin}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user: { username: 'restart', email: 'restart@example.com', password: 'password123' },
      }),
    });
    expect(registered.status).toBe(201);
    const { user } = (await registered.json()) as { user: { token: string } };
    const stopped = exitOf(first.child);
    first.child.kill('SIGTERM');
    await stopped;

    const second = await start(dataDir);
    const current = await fetch(`${second.origin}/api/v1/user`, {
      headers: { authorization: `Token ${user.token}` },
    });
    expect(current.status).toBe(200);
    const stoppedAgain = exitOf(second.child);
    second.child.kill('SIGTERM');
    expect(await stoppedAgain).toBe(0);
  });
});

describe('start-up configuration checks', { timeout: 30_000 }, () => {
  it('refuses to start in production without TOKEN_SECRET, naming the variable', async () => {
    const { code, output } = await runToExit({ NODE_ENV: 'production', DATA_DIR: dataDir });
    expect(code).toBe(1);
    expect(output).toContain('missing environment variable TOKEN_SECRET');
  });

  it('refuses a short TOKEN_SECRET', async () => {
    const { code, output } = await runToExit({
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      TOKEN_SECRET: 'short',
    });
    expect(code).toBe(1);
    expect(output).toContain('TOKEN_SECRET: must be at least 32 bytes');
  });

  it('refuses a bad PORT, naming it', async () => {
    const { code, output } = await runToExit({
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PORT: 'eighty',
    });
    expect(code).toBe(1);
    expect(output).toContain('invalid environment variable PORT');
  });

  it.each([
    ['DATABASE_URL', 'postgres://keel:Pa55word@127.0.0.1:5432x/keel'],
    ['REDIS_URL', 'redis://:Pa55word@127.0.0.1:63790x'],
  ])(
    'refuses a %s new URL() cannot read, naming it and not its password',
    async (variable, url) => {
      const { code, output } = await runToExit({
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        TOKEN_SECRET: 's'.repeat(32),
        [variable]: url,
      });
      expect(code).toBe(1);
      expect(output).toContain(`invalid environment variable ${variable}: must match format`);
      expect(output).not.toContain('Pa55word');
      expect(output).not.toContain('Keel listening on');
    },
  );
});
