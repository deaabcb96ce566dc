const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const LOCK_NOT_AVAILABLE = '55P03';

interface PgErrorFields {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly cause?: unknown;
}

/** Drizzle wraps driver errors; the SQLSTATE and constraint name sit on the innermost one. */
function driverError(error: unknown): PgErrorFields | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const fields = current as PgErrorFields;
    if (typeof fields.code === 'string') return fields;
    current = fields.cause;
  }
  return undefined;
}

function violated(error: unknown, code: string): string | undefined {
  const fields = driverError(error);
  return fields?.code === code && typeof fields.constraint === 'string'
    ? fields.constraint
    : undefined;
}

/** The unique constraint or index `error` broke, if it is a unique violation. */
export function uniqueViolation(error: unknown): string | undefined {
  return violated(error, UNIQUE_VIOLATION);
}

/** The foreign key `error` broke, if it is a foreign-key violation. */
export function foreignKeyViolation(error: unknown): string | undefined {
  return violated(error, FOREIGN_KEY_VIOLATION);
}

/** True when `error` is a lock wait that ran out of `lock_timeout`. */
export function lockNotAvailable(error: unknown): boolean {
  return driverError(error)?.code === LOCK_NOT_AVAILABLE;
}
