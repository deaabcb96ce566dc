import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import type { BenchLog } from './bench-log.js';

const git = async (root: string, args: readonly string[]): Promise<Buffer> =>
  (
    await promisify(execFile)('git', [...args], {
      cwd: root,
      encoding: 'buffer',
      maxBuffer: 1024 ** 3,
    })
  ).stdout;

/**
 * The code the servers run (they start from the checkout at `root`): its commit and, when tracked
 * files differ from it, a digest of that difference, so two runs of unlike uncommitted changes on
 * one commit are told apart. Undefined, said in the log, where git can't tell (no checkout).
 */
export async function currentCommit(root: string, log: BenchLog): Promise<string | undefined> {
  try {
    const head = (await git(root, ['rev-parse', 'HEAD'])).toString().trim();
    // Git's own uncoloured patch, not a configured diff tool's: one change, one digest.
    const changes = await git(root, [
      'diff',
      'HEAD',
      '--binary',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
    ]);
    if (changes.length === 0) return head;
    const digest = createHash('sha256').update(changes).digest('hex').slice(0, 12);
    return `${head} with uncommitted changes ${digest}`;
  } catch (error) {
    log.warn(`the report will not say which commit ran: ${String(error)}`);
    return undefined;
  }
}
