import type { FieldErrors } from '../../domain/shared/errors.js';

/** Machine-readable extras of an error; which ones appear depends on the code. */
export interface ErrorDetails {
  readonly fields?: FieldErrors;
  readonly resource?: string;
  readonly field?: string;
  readonly requestId?: string;
  /** 403 for a route's permission: the capability the caller's role lacks. */
  readonly permission?: string;
  /** 429: whole seconds until the limit's window ends, as in `Retry-After`. */
  readonly retryAfterSeconds?: number;
}

/**
 * Every error response: `errors` for RealWorld clients, `error` for everyone else
 * (a stable code from the catalogue, a message for humans, details for programs).
 */
export interface ErrorBody {
  readonly errors: FieldErrors;
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: ErrorDetails;
  };
}

export function errorBody(
  code: string,
  message: string,
  errors: FieldErrors,
  details?: ErrorDetails,
): ErrorBody {
  return { errors, error: { code, message, ...(details !== undefined && { details }) } };
}
