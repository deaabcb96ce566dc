import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';

/** CPU time and memory of one process, read from Linux's /proc. */
export interface ProcessUsage {
  /** User plus system CPU time since the process started. */
  readonly cpuSeconds: number;
  /** Peak resident set size since start or since the last `resetPeakRss`. */
  readonly peakRssBytes: number;
}

// /proc/<pid>/stat counts CPU time in clock ticks; the tick rate is a kernel constant.
export const TICKS_PER_SECOND = Number(
  execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(),
);

/**
 * The fields of /proc/<pid>/stat after the command name (which may contain spaces), so index 0
 * is field 3 (the state): the parent's pid is at 1, utime and stime at 11 and 12, the reaped
 * children's cutime and cstime at 13 and 14 (proc(5)).
 */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export async function readProcessUsage(pid: number): Promise<ProcessUsage> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${String(pid)}/stat`, 'utf8'),
    readFile(`/proc/${String(pid)}/status`, 'utf8'),
  ]);
  const fields = statFields(stat);
  const ticks = Number(fields[11]) + Number(fields[12]);
  const peakKb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
  return { cpuSeconds: ticks / TICKS_PER_SECOND, peakRssBytes: peakKb * 1024 };
}

/** Starts a new peak-RSS window (proc(5): writing 5 to clear_refs resets VmHWM). */
export async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${String(pid)}/clear_refs`, '5');
}
