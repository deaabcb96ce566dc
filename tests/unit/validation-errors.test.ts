import type { FastifySchemaValidationError } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../../src/core/http/validation-errors.js';

/** The errors Fastify hands over, produced by the same TypeBox compiler the app uses. */
function errorsOf(schema: TSchema, value: unknown): FastifySchemaValidationError[] {
  return Compile(schema).Errors(value);
}

const UserBody = Type.Object(
  {
    user: Type.Object(
      {
        username: Type.String({ minLength: 1, maxLength: 64 }),
        email: Type.String({ pattern: '@' }),
        bio: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const UserChanges = Type.Object({
  user: Type.Object({ bio: Type.Optional(Type.String()) }, { minProperties: 1 }),
});
const ArticleBody = Type.Object({
  tagList: Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 }),
});
const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100 }),
});

const JANE = { username: 'jane', email: 'jane@example.com' };

describe('fieldErrors', () => {
  it('names every unknown key even when there are too many for the summary error', () => {
    // TypeBox stops at a few errors: with this many unknown keys only their per-key errors come.
    const keys = ['', ' ', '!', 'a/b', 'c~d', '$', '%', '&', 'x'];
    const user = { ...JANE, ...Object.fromEntries(keys.map((key) => [key, 0])) };
    const errors = errorsOf(UserBody, { user });
    expect(errors.some((error) => error.keyword === 'additionalProperties')).toBe(false);
    const fields = fieldErrors(errors, 'body');
    expect(Object.keys(fields).length).toBeGreaterThan(0);
    for (const [key, messages] of Object.entries(fields)) {
      expect(keys).toContain(key);
      expect(messages).toEqual(['is not a known field']);
    }
    expect(fields).toMatchObject({ '': ['is not a known field'], 'a/b': ['is not a known field'] });
  });

  it('reports a missing property as required on the property itself', () => {
    expect(fieldErrors(errorsOf(UserBody, { user: { bio: null } }), 'body')).toEqual({
      username: ['is required'],
      email: ['is required'],
    });
  });

  it('reports an unknown property as not a known field, once', () => {
    expect(fieldErrors(errorsOf(UserBody, { user: { ...JANE, admin: true } }), 'body')).toEqual({
      admin: ['is not a known field'],
    });
  });

  it('lists the choices of a nullable field given another type', () => {
    expect(fieldErrors(errorsOf(UserBody, { user: { ...JANE, bio: 5 } }), 'body')).toEqual({
      bio: ['must be string or null'],
    });
  });

  it('reports only the broken rule of a nullable field given a string that is too long', () => {
    const errors = errorsOf(UserBody, { user: { ...JANE, bio: 'b'.repeat(2001) } });
    expect(fieldErrors(errors, 'body')).toEqual({
      bio: ['is too long (maximum is 2000 characters)'],
    });
  });

  it('states the maximum length', () => {
    const errors = errorsOf(UserBody, { user: { ...JANE, username: 'a'.repeat(65) } });
    expect(fieldErrors(errors, 'body')).toEqual({
      username: ['is too long (maximum is 64 characters)'],
    });
  });

  it('states the minimum length', () => {
    expect(fieldErrors(errorsOf(UserBody, { user: { ...JANE, username: '' } }), 'body')).toEqual({
      username: ['is too short (minimum is 1 characters)'],
    });
  });

  it('says "is invalid" for a rule it has no wording for', () => {
    expect(fieldErrors(errorsOf(UserBody, { user: { ...JANE, email: 'x' } }), 'body')).toEqual({
      email: ['is invalid'],
    });
  });

  it('names the expected type', () => {
    expect(fieldErrors(errorsOf(UserBody, { user: { ...JANE, email: 5 } }), 'body')).toEqual({
      email: ['must be string'],
    });
  });

  it('asks for at least one field of an empty change', () => {
    expect(fieldErrors(errorsOf(UserChanges, { user: {} }), 'body')).toEqual({
      user: ['must have at least one field'],
    });
  });

  it('maps an array item to the array field, with each message once', () => {
    const errors = errorsOf(ArticleBody, { tagList: ['ok', 5, 'x'.repeat(51), 6] });
    expect(fieldErrors(errors, 'body')).toEqual({
      tagList: ['must be string', 'is too long (maximum is 50 characters)'],
    });
  });

  it('states the maximum number of items', () => {
    const errors = errorsOf(ArticleBody, { tagList: Array.from({ length: 21 }, () => 't') });
    expect(fieldErrors(errors, 'body')).toEqual({
      tagList: ['has too many items (maximum is 20)'],
    });
  });

  it('states the bounds of a number', () => {
    const convert = (limit: string) => Value.Convert(PageQuery, { limit });
    expect(fieldErrors(errorsOf(PageQuery, convert('0')), 'querystring')).toEqual({
      limit: ['must be greater than or equal to 1'],
    });
    expect(fieldErrors(errorsOf(PageQuery, convert('101')), 'querystring')).toEqual({
      limit: ['must be less than or equal to 100'],
    });
  });

  it('reports an error at the root under the name of the request part', () => {
    expect(fieldErrors(errorsOf(UserBody, 'text'), 'body')).toEqual({ body: ['must be object'] });
    expect(fieldErrors(errorsOf(PageQuery, []), 'querystring')).toEqual({
      querystring: ['must be object'],
    });
  });

  it('reports every invalid field at once', () => {
    const errors = errorsOf(UserBody, { user: { username: '', bio: 1, extra: 1 } });
    expect(fieldErrors(errors, 'body')).toEqual({
      username: ['is too short (minimum is 1 characters)'],
      email: ['is required'],
      bio: ['must be string or null'],
      extra: ['is not a known field'],
    });
  });
});
