/**
 * The closed catalogue of domain errors. Domain code throws these; `core/http/error-handler.ts`
 * is the one place that turns them into HTTP statuses and bodies.
 */

/** Field name → human messages, the shape RealWorld clients read from `errors`. */
export type FieldErrors = Readonly<Record<string, readonly string[]>>;

/** A resource named in 403/404 bodies (`errors.article: ["not found"]`). */
export type Resource = 'article' | 'comment' | 'profile' | 'account';

export class ValidationError extends Error {
  readonly code = 'validation_failed';
  constructor(readonly fields: FieldErrors) {
    super(`invalid ${Object.keys(fields).join(', ')}`);
  }

  static field(field: string, message: string): ValidationError {
    return new ValidationError({ [field]: [message] });
  }
}

/**
 * Builds a value from several fields' parses and reports every field that failed, in one
 * `ValidationError`, instead of the first: a client shows all of a form's mistakes at once, as it
 * does the schema's. `field` runs one parse; what it returns for a failed one is never seen, since
 * the build is then thrown away, so `build` must only place the values, never use them. Anything
 * but a `ValidationError` propagates at once.
 */
export function parseFields<T>(build: (field: <V>(parse: () => V) => V) => T): T {
  const failed: Record<string, string[]> = {};
  const built = build((parse) => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const [name, messages] of Object.entries(error.fields)) {
        (failed[name] ??= []).push(...messages);
      }
      // Stands in for the value this build will never deliver (see above).
      return undefined as never;
    }
  });
  if (Object.keys(failed).length > 0) throw new ValidationError(failed);
  return built;
}

export class NotFoundError extends Error {
  readonly code = 'not_found';
  constructor(readonly resource: Resource) {
    super(`${resource} not found`);
  }
}

export class ForbiddenError extends Error {
  readonly code = 'forbidden';
  constructor(readonly resource: Resource) {
    super(`not allowed to change this ${resource}`);
  }
}

/** A field whose value must be unique. */
export type UniqueField = 'username' | 'email';

/** A uniqueness rule was broken, e.g. a username that is already taken. */
export class ConflictError extends Error {
  readonly code = 'already_taken';
  constructor(readonly field: UniqueField) {
    super(`${field} has already been taken`);
  }
}

/** No token, or a token that is malformed, forged or expired. */
export class UnauthenticatedError extends Error {
  readonly code = 'unauthenticated';
  constructor(
    readonly reason: 'missing' | 'invalid',
    options?: ErrorOptions,
  ) {
    super(
      reason === 'missing' ? 'authentication token is missing' : 'authentication token is invalid',
      options,
    );
  }
}

/** Login failed; deliberately silent on whether the email or the password was wrong. */
export class InvalidCredentialsError extends Error {
  readonly code = 'invalid_credentials';
  constructor() {
    super('email or password is invalid');
  }
}

/** A role change or suspension that would leave no active admin to administer Keel. */
export class LastAdminError extends Error {
  readonly code = 'last_admin';
  constructor() {
    super("the last active admin can't be demoted or suspended");
  }
}

/** The right password for a suspended account: it may not sign in until reinstated. */
export class AccountSuspendedError extends Error {
  readonly code = 'account_suspended';
  constructor() {
    super('this account is suspended');
  }
}

export type DomainError =
  | ValidationError
  | NotFoundError
  | ForbiddenError
  | ConflictError
  | UnauthenticatedError
  | InvalidCredentialsError
  | LastAdminError
  | AccountSuspendedError;

export function isDomainError(error: unknown): error is DomainError {
  return (
    error instanceof ValidationError ||
    error instanceof NotFoundError ||
    error instanceof ForbiddenError ||
    error instanceof ConflictError ||
    error instanceof UnauthenticatedError ||
    error instanceof InvalidCredentialsError ||
    error instanceof LastAdminError ||
    error instanceof AccountSuspendedError
  );
}
