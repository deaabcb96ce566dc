import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * A command-line tool's arguments, read by `parseArgs` (strict: an unknown option, an option
 * without its value or a stray argument is refused). Arguments it can't read end the process as
 * any other misuse of the tool does (`exitWithUsage`), not with a stack trace.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (!isArgumentError(error)) throw error;
    exitWithUsage(usage, error.message);
  }
}

/** Whether `error` is `parseArgs` refusing the arguments (not a defect of the caller's code). */
export function isArgumentError(error: unknown): error is TypeError {
  return (
    error instanceof TypeError &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('ERR_PARSE_ARGS_')
  );
}

/** Ends a misused command-line tool: what was wrong, if known, and its usage on stderr; exit 2. */
export function exitWithUsage(usage: string, problem?: string): never {
  process.stderr.write(problem === undefined ? `${usage}\n` : `${problem}\n${usage}\n`);
  process.exit(2);
}
