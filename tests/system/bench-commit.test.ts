import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentCommit } from '../../bench/load/commit.js';

const silent = { info: (): void => undefined, warn: (): void => undefined };

let checkout: string;
let head: string;

async function git(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('git', args, { cwd: checkout });
  return stdout.trim();
}

beforeAll(async () => {
  checkout = await mkdtemp(join(tmpdir(), 'keel-bench-commit-'));
  await git('init', '--quiet');
  await writeFile(join(checkout, 'server.ts'), 'export const answer = 42;\n');
  await git('add', 'server.ts');
  await git(
    ...['-c', 'user.name=Keel', '-c', 'user.email=keel@example.invalid'],
    ...['-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', 'first'],
  );
  head = await git('rev-parse', 'HEAD');
});
afterAll(() => rm(checkout, { recursive: true, force: true }));

describe('the commit a bench report records', () => {
  it('is the checked-out commit, and names the uncommitted change to it by a digest', async () => {
    expect(await currentCommit(checkout, silent)).toBe(head);
    const changed = async (source: string): Promise<string | undefined> => {
      await writeFile(join(checkout, 'server.ts'), source);
      return currentCommit(checkout, silent);
    };
    const one = await changed('export const answer = 41;\n');
    expect(one).toMatch(new RegExp(`^${head} with uncommitted changes [0-9a-f]{12}$`));
    // Two runs of one change are alike; of another change on the same commit, not.
    expect(await changed('export const answer = 41;\n')).toBe(one);
    expect(await changed('export const answer = 43;\n')).not.toBe(one);
    expect(await changed('export const answer = 42;\n')).toBe(head);
  });

  it('is left out, and the log says why, outside a git checkout', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'keel-bench-no-commit-'));
    try {
      const warnings: string[] = [];
      const log = { info: (): void => undefined, warn: (m: string) => warnings.push(m) };
      expect(await currentCommit(elsewhere, log)).toBeUndefined();
      expect(warnings).toEqual([
        expect.stringContaining('the report will not say which commit ran:'),
      ]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});
