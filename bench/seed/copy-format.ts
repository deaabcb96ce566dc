/** A value of one column in PostgreSQL's COPY text format; `null` is SQL NULL, an array a text[]. */
export type CopyValue = string | number | readonly string[] | null;

const SPECIAL = /[\\\n\r\t]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** An array literal, every element quoted (a quote or backslash inside escaped). */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

function field(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? value : arrayLiteral(value);
  return text.replace(SPECIAL, (char) => ESCAPES[char] ?? char);
}

/** One row as a line of COPY text: tab-separated, backslash-escaped, newline-terminated. */
export function copyLine(values: readonly CopyValue[]): string {
  return `${values.map(field).join('\t')}\n`;
}

/** Lines joined into chunks of about `chunkBytes`; `onRows` is told how many rows each chunk holds. */
export function* copyChunks(
  rows: Iterable<readonly CopyValue[]>,
  onRows: (count: number) => void,
  chunkBytes = 256 * 1024,
): Generator<string> {
  let chunk = '';
  let count = 0;
  for (const row of rows) {
    chunk += copyLine(row);
    count++;
    if (chunk.length >= chunkBytes) {
      yield chunk;
      onRows(count);
      chunk = '';
      count = 0;
    }
  }
  if (count > 0) {
    yield chunk;
    onRows(count);
  }
}
