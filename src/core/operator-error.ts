import type { Logger } from 'pino';
import { loggable } from './http/error-handler.js';

/**
 * A failure the operator fixes, not a defect: a bad setting, a data directory another process
 * holds. Its message says what is wrong and what to do, so it is logged alone, without a stack
 * trace (`logFatal`).
 */
export class OperatorError extends Error {}

/**
 * Logs why a process gave up (the server's start, a command-line tool): an `OperatorError`'s
 * message alone; anything else under `message`, with the error as the request path logs one.
 */
export function logFatal(log: Logger, error: unknown, message: string): void {
  if (error instanceof OperatorError) log.fatal(error.message);
  else log.fatal({ err: loggable(error) }, message);
}
