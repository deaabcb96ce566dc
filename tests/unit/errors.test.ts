import { describe, expect, it, vi } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  InvalidCredentialsError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
  isDomainError,
  parseFields,
} from '../../src/domain/shared/errors.js';

describe('ValidationError', () => {
  it('carries its field messages and names the fields in its message', () => {
    const error = new ValidationError({ title: ["can't be blank"], body: ['is invalid'] });
    expect(error.fields).toEqual({ title: ["can't be blank"], body: ['is invalid'] });
    expect(error.message).toBe('invalid title, body');
    expect(error.code).toBe('validation_failed');
  });

  it('builds a single-field error', () => {
    expect(ValidationError.field('email', 'is invalid').fields).toEqual({ email: ['is invalid'] });
  });
});

describe('UnauthenticatedError', () => {
  it('says whether the token was missing or invalid, keeping the cause', () => {
    const cause = new Error('jwt expired');
    expect(new UnauthenticatedError('missing').message).toBe('authentication token is missing');
    const invalid = new UnauthenticatedError('invalid', { cause });
    expect(invalid.message).toBe('authentication token is invalid');
    expect(invalid.cause).toBe(cause);
  });
});

describe('isDomainError', () => {
  it.each([
    new ValidationError({}),
    new NotFoundError('article'),
    new ForbiddenError('comment'),
    new ConflictError('username'),
    new UnauthenticatedError('missing'),
    new InvalidCredentialsError(),
  ])('recognises %s', (error) => {
    expect(isDomainError(error)).toBe(true);
  });

  it.each([new Error('boom'), new TypeError('x'), 'not_found', { code: 'not_found' }, undefined])(
    'rejects %j, which is not from the catalogue',
    (value) => {
      expect(isDomainError(value)).toBe(false);
    },
  );
});

describe('error messages', () => {
  it('name the resource or field concerned', () => {
    expect(new NotFoundError('profile').message).toBe('profile not found');
    expect(new ForbiddenError('article').message).toBe('not allowed to change this article');
    expect(new ConflictError('email').message).toBe('email has already been taken');
    expect(new InvalidCredentialsError().message).toBe('email or password is invalid');
  });
});

describe('parseFields', () => {
  const refuse = (field: string, message: string) => (): never => {
    throw ValidationError.field(field, message);
  };

  it('builds the value when every field parses', () => {
    expect(parseFields((field) => ({ a: field(() => 1), b: field(() => 'two') }))).toEqual({
      a: 1,
      b: 'two',
    });
  });

  it('names every field that failed in one ValidationError, not only the first', () => {
    const build = () =>
      parseFields((field) => ({
        title: field(refuse('title', "can't be blank")),
        kept: field(() => 'fine'),
        body: field(refuse('body', 'is too long')),
      }));
    expect(build).toThrow(
      expect.objectContaining({ fields: { title: ["can't be blank"], body: ['is too long'] } }),
    );
  });

  it('takes in a nested parse that named several fields', () => {
    const inner = () =>
      parseFields((field) => ({ a: field(refuse('a', 'x')), b: field(refuse('b', 'y')) }));
    expect(() =>
      parseFields((field) => ({ inner: field(inner), c: field(refuse('c', 'z')) })),
    ).toThrow(expect.objectContaining({ fields: { a: ['x'], b: ['y'], c: ['z'] } }));
  });

  it('lets anything but a ValidationError through at once', () => {
    const later = vi.fn(() => 1);
    expect(() =>
      parseFields((field) => ({
        broken: field(() => {
          throw new TypeError('a defect');
        }),
        later: field(later),
      })),
    ).toThrow(TypeError);
    expect(later).not.toHaveBeenCalled();
  });
});
