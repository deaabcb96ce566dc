/** A GitHub-flavoured Markdown table with padded columns; numeric-looking cells align right. */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = (cell: string): boolean => /^[-+]?[\d.,×%]+\s*\w*$/.test(cell);
  const line = (cells: readonly string[]): string =>
    `| ${cells
      .map((cell, column) =>
        numeric(cell) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join(' | ')} |`;
  const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
