/**
 * An `Idempotency-Key` that can't be honoured: used before for a different request (`reused`,
 * 422) or by a request still running (`busy`, 409, retry shortly). An HTTP concern answered by
 * the error handler, like a rate limit.
 */
export class IdempotencyKeyError extends Error {
  constructor(readonly reason: 'reused' | 'busy') {
    super(
      reason === 'reused'
        ? 'this Idempotency-Key was used for a different request'
        : 'a request with this Idempotency-Key is still running',
    );
    this.name = 'IdempotencyKeyError';
  }
}
