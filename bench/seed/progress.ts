import { MultiBar, Presets } from 'cli-progress';

/** One bar per table on a terminal; silent elsewhere (CI logs get the timings table instead). */
export interface Progress {
  /** Adds a bar; the returned function advances it by a number of rows. */
  bar(name: string, total: number): (rows: number) => void;
  stop(): void;
}

const SILENT: Progress = { bar: () => () => undefined, stop: () => undefined };

export function createProgress(): Progress {
  // cli-progress leaves non-TTY bars unstarted and prints them raw at stop(): skip them there.
  if (!process.stderr.isTTY) return SILENT;
  const bars = new MultiBar(
    {
      format: ' {name} |{bar}| {percentage}% {value}/{total} rows',
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  return {
    bar(name, total) {
      const bar = bars.create(total, 0, { name: name.padEnd(12) });
      return (rows) => {
        bar.increment(rows);
      };
    },
    stop: () => {
      bars.stop();
    },
  };
}
