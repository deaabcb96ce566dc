import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** "Do NOT skip migrations": `npm run db:drift` fails when the schema has changes no migration holds. */

const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);

function driftCheck(...schemas: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('bash', ['scripts/check-migrations.sh', ...schemas], { cwd: ROOT });
}

describe('npm run db:drift', { timeout: 60_000 }, () => {
  it('passes when the committed migrations match the schema', async () => {
    const { stdout } = await driftCheck();
    expect(stdout).toContain('migrations match the schema');
  });

  it('fails on a schema change without a migration, and says how to generate one', async () => {
    const failure = await driftCheck(
      './src/infrastructure/db/schema/*.ts',
      './tests/guardrails/fixtures/unmigrated-table.ts',
    ).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('npm run db:generate -- --name <change>');
    expect(failure?.stderr).toContain('CREATE TABLE "unmigrated"');
  });
});
