import { DrizzleQueryError } from 'drizzle-orm';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError, type DomainError } from '../../domain/shared/errors.js';
import { errorBody, type ErrorBody } from './error-body.js';
import { IDEMPOTENCY_KEY } from './idempotency.js';
import { IdempotencyKeyError } from './idempotency-error.js';
import { PermissionDeniedError } from './permission-denied-error.js';
import { RateLimitedError } from './rate-limited-error.js';
import { NO_STORE } from './security-headers.js';
import { fieldErrors } from './validation-errors.js';

interface HttpError {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A body over the limit: one Fastify counted past `bodyLimit`, or one whose chunk extension Node's
 * parser refused (`client-error-handler.ts`).
 */
export const PAYLOAD_TOO_LARGE = {
  status: 413,
  body: errorBody('payload_too_large', 'the request body is too large', { body: ['is too large'] }),
} satisfies HttpError;

/** A request that found its idempotency key in use may retry this soon: the first is nearly done. */
const IDEMPOTENCY_BUSY_RETRY_SECONDS = 1;

/** How a message names the part of the request that failed validation. */
const PART_NAMES: Readonly<Partial<Record<string, string>>> = {
  body: 'body',
  querystring: 'query string',
  params: 'path',
  headers: 'headers',
};

/** The one mapping from the domain's error catalogue to HTTP. */
function fromDomain(error: DomainError): HttpError {
  switch (error.code) {
    case 'validation_failed':
      return {
        status: 422,
        body: errorBody(error.code, 'the request is invalid', error.fields, {
          fields: error.fields,
        }),
      };
    case 'not_found':
      return {
        status: 404,
        body: errorBody(
          error.code,
          error.message,
          { [error.resource]: ['not found'] },
          { resource: error.resource },
        ),
      };
    case 'forbidden':
      return {
        status: 403,
        body: errorBody(
          error.code,
          error.message,
          { [error.resource]: ['forbidden'] },
          { resource: error.resource },
        ),
      };
    case 'already_taken':
      return {
        status: 409,
        body: errorBody(
          error.code,
          error.message,
          { [error.field]: ['has already been taken'] },
          { field: error.field },
        ),
      };
    case 'unauthenticated':
      return {
        status: 401,
        body: errorBody(
          error.reason === 'missing' ? 'token_missing' : 'token_invalid',
          error.message,
          {
            token: [error.reason === 'missing' ? 'is missing' : 'is invalid'],
          },
        ),
      };
    case 'invalid_credentials':
      return {
        status: 401,
        body: errorBody(error.code, error.message, { credentials: ['invalid'] }),
      };
    case 'last_admin':
      return {
        status: 409,
        body: errorBody(error.code, error.message, { account: ['is the last active admin'] }),
      };
    case 'account_suspended':
      return {
        status: 403,
        body: errorBody(error.code, error.message, { account: ['is suspended'] }),
      };
  }
}

/**
 * Errors raised before a handler runs: body parsing, content type, size, schema (by Fastify),
 * permissions and rate limits (by Keel's own hooks).
 */
function fromFastify(error: FastifyError): HttpError | undefined {
  if (error instanceof PermissionDeniedError) {
    return {
      status: 403,
      body: errorBody(
        'forbidden',
        error.message,
        { permission: ['forbidden'] },
        { permission: error.permission },
      ),
    };
  }
  if (error instanceof RateLimitedError) {
    const { retryAfterSeconds } = error;
    return {
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds) },
      body: errorBody(
        'rate_limited',
        `too many requests: retry after ${String(retryAfterSeconds)} s`,
        { request: ['too many requests'] },
        { retryAfterSeconds },
      ),
    };
  }
  if (error instanceof IdempotencyKeyError) {
    return error.reason === 'busy'
      ? {
          status: 409,
          headers: { 'retry-after': String(IDEMPOTENCY_BUSY_RETRY_SECONDS) },
          body: errorBody('idempotency_key_in_use', error.message, {
            [IDEMPOTENCY_KEY]: ['is in use by a request still running'],
          }),
        }
      : {
          status: 422,
          body: errorBody('idempotency_key_reused', error.message, {
            [IDEMPOTENCY_KEY]: ['was used for a different request'],
          }),
        };
  }
  if (error.validation !== undefined && error.validationContext === 'headers') {
    const fields = fieldErrors(error.validation, 'headers');
    return {
      status: 400,
      body: errorBody('invalid_header', 'a request header is invalid', fields, { fields }),
    };
  }
  if (error.validation !== undefined) {
    const part = error.validationContext ?? 'body';
    const where = PART_NAMES[part] ?? part;
    const fields = fieldErrors(error.validation, part);
    return {
      status: 422,
      body: errorBody('validation_failed', `the request ${where} is invalid`, fields, { fields }),
    };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: errorBody('unsupported_media_type', 'send the body as application/json', {
          body: ['must be application/json'],
        }),
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return PAYLOAD_TOO_LARGE;
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return {
      status: 400,
      body: errorBody('malformed_json', 'the request body is not valid JSON', {
        body: ['is not valid JSON'],
      }),
    };
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return {
      status: error.statusCode,
      body: errorBody('bad_request', error.message, { request: ['is invalid'] }),
    };
  }
  return undefined;
}

/**
 * Errors the router raises before any route or hook runs: a URL that can't be decoded, or a
 * path parameter over the length limit. Passed to Fastify as `frameworkErrors`.
 */
export function routerErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  // No hook runs for these, so the request id header is set here, and caching forbidden as on
  // every other answer (a 414 is cacheable by default: RFC 9110 §15.1).
  void reply.header('x-request-id', request.id).header(...NO_STORE);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply
      .code(414)
      .send(
        errorBody('uri_too_long', 'a path parameter is too long', { request: ['is too long'] }),
      );
    return;
  }
  void reply
    .code(400)
    .send(errorBody('bad_request', 'the request URL is malformed', { request: ['is invalid'] }));
}

/**
 * What of `error` may be logged. Drizzle attaches a failed statement's parameters (emails,
 * password hashes) to its errors, and the driver's `detail` can quote row values: log the
 * statement and the SQLSTATE, never values. Node's `ERR_INVALID_URL` carries the URL it could not
 * read (`input`, and `base` when one was given), password included: log it without them.
 */
export function loggable(error: unknown): unknown {
  if (error instanceof TypeError && (error as { code?: unknown }).code === 'ERR_INVALID_URL') {
    // Its message and stack say "Invalid URL", never the URL.
    return {
      type: error.name,
      code: 'ERR_INVALID_URL',
      message: error.message,
      stack: error.stack,
    };
  }
  if (!(error instanceof DrizzleQueryError)) return error;
  const cause = error.cause as { code?: unknown; constraint?: unknown } | undefined;
  return {
    type: error.name,
    message: 'database query failed',
    query: error.query,
    // The first lines of the stack repeat the message, which lists the parameters: frames only.
    stack: error.stack
      ?.split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .join('\n'),
    // Not the driver's message: some quote the offending input.
    cause: { code: cause?.code, constraint: cause?.constraint },
  };
}

/** Seconds a client should wait before retrying while a dependency is down. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Installs the error and not-found handlers: no error leaves Keel in another shape.
 * `isUnavailable` recognises a dependency that is down (the database layer knows its errors),
 * which is answered with a fast 503 the client may retry, not a 500.
 */
export function registerErrorHandlers(
  app: FastifyInstance,
  isUnavailable: (error: Error) => boolean,
): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = isDomainError(error) ? fromDomain(error) : fromFastify(error);
    if (known !== undefined) {
      if (known.headers !== undefined) void reply.headers(known.headers);
      return reply.code(known.status).send(known.body);
    }
    if (isUnavailable(error)) {
      request.log.warn({ err: loggable(error) }, 'dependency unavailable');
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send(
          errorBody(
            'service_unavailable',
            'a service Keel depends on is unavailable; retry shortly',
            { server: ['temporarily unavailable'] },
            { requestId: request.id },
          ),
        );
    }
    request.log.error({ err: loggable(error) }, 'unhandled error');
    // Nothing about the cause leaves the process; the request id links the reply to the log.
    return reply
      .code(500)
      .send(
        errorBody(
          'internal_error',
          'something went wrong on our side',
          { server: ['internal error'] },
          { requestId: request.id },
        ),
      );
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          'route_not_found',
          `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`,
          { route: ['not found'] },
        ),
      ),
  );
}
