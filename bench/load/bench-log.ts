/** Progress and warnings of a bench run; they go to stderr so stdout carries only the tables. */
export interface BenchLog {
  info(message: string): void;
  warn(message: string): void;
}

export const stderrLog: BenchLog = {
  info: (message) => process.stderr.write(`${message}\n`),
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
};
