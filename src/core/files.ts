import { randomUUID } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';

/** The text of `file`; undefined when there is no such file. */
export async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return undefined;
  }
}

/**
 * Creates `file` holding `text` (with `mode`) unless it exists, and says whether it did. The text
 * is written in full to a temporary file first, then linked into place: a concurrent reader sees
 * no file or all of it, never part of it, and of processes creating it at once exactly one does.
 */
export async function createWhole(file: string, text: string, mode = 0o644): Promise<boolean> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, text, { mode });
  try {
    await link(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    await unlink(temporary);
  }
}
