import { markdownTable } from '../report/markdown-table.js';
import type { SeedReport } from './seed-database.js';

/** The per-step timings and the invariant checks as Markdown tables. */
export function formatSeedReport(report: SeedReport): string {
  const steps = markdownTable(
    ['step', 'rows', 'seconds', 'rows/s'],
    report.steps.map(({ step, rows, seconds }) => [
      step,
      rows === undefined ? '' : rows.toLocaleString('en-US'),
      seconds.toFixed(2),
      rows === undefined || seconds === 0 ? '' : Math.round(rows / seconds).toLocaleString('en-US'),
    ]),
  );
  const invariants = markdownTable(
    ['invariant', 'violations'],
    report.invariants.map(({ invariant, violations }) => [invariant, String(violations)]),
  );
  return `${steps}\n\ntotal ${report.totalSeconds.toFixed(1)} s\n\n${invariants}\n`;
}

export function invariantsHold(report: SeedReport): boolean {
  return report.invariants.every((check) => check.violations === 0);
}
