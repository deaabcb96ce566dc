import type { FieldErrors } from '../../domain/shared/errors.js';

/**
 * Every error response: `errors` for RealWorld clients, `error` for everyone else
 * (a stable code from the catalogue, a message for humans, details for programs).
 */
export interface ErrorBody {
  readonly errors: FieldErrors;
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: Readonly<Record<string, unknown>>;
  };
}

export function errorBody(
  code: string,
  message: string,
  errors: FieldErrors,
  details?: Readonly<Record<string, unknown>>,
): ErrorBody {
  return { errors, error: { code, message, ...(details !== undefined && { details }) } };
}
