import { DrizzleQueryError } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loggable } from '../../src/core/http/error-handler.js';

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

  it('passes any other error through unchanged', () => {
    const error = new Error('boom');
    expect(loggable(error)).toBe(error);
  });
});
