import { DrizzleQueryError } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loggable } from '../../src/core/http/error-handler.js';

/** The error `new URL()` throws for `input` (against `base`). */
function urlError(input: string, base?: string): TypeError {
  try {
    new URL(input, base);
  } catch (error) {
    if (error instanceof TypeError) return error;
    throw error;
  }
  throw new Error('expected new URL() to refuse it');
}

describe('loggable', () => {
  it('keeps a failed statement and its SQLSTATE but none of its parameters or row values', () => {
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      detail: 'Key (email)=(jane@example.com) already exists.',
    });
    const error = new DrizzleQueryError(
      'insert into "users" ("username", "email", "password_hash") values ($1, $2, $3)',
      ['jane', 'jane@example.com', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'],
      driverError,
    );
    const logged = JSON.stringify(loggable(error));
    expect(logged).toContain('insert into \\"users\\"');
    expect(logged).toContain('23505');
    expect(logged).not.toContain('jane@example.com');
    expect(logged).not.toContain('$argon2id');
  });

  it("keeps a URL error's code and stack but not the URL it could not read", () => {
    const url = 'redis://:Pa55word@127.0.0.1:63790x';
    const error = urlError(url);
    expect(JSON.stringify(error)).toContain('Pa55word');
    const logged = loggable(error);
    expect(logged).toEqual({
      type: 'TypeError',
      code: 'ERR_INVALID_URL',
      message: 'Invalid URL',
      stack: error.stack,
    });
    expect(JSON.stringify(logged)).not.toContain('Pa55word');
    expect(JSON.stringify(loggable(urlError('/keel', url)))).not.toContain('Pa55word');
  });

  it('passes any other error through unchanged', () => {
    const error = new Error('boom');
    expect(loggable(error)).toBe(error);
  });
});
