import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';

/** A name no other test will use, valid as a username, email local part and title. */
export function unique(prefix = 'u'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export interface RegisteredUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly token: string;
  readonly headers: { readonly authorization: string };
}

export async function registerUser(app: FastifyInstance, name = unique()): Promise<RegisteredUser> {
  const user = { username: name, email: `${name}@example.com`, password: 'password123' };
  const response = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { user } });
  expect(response.statusCode).toBe(201);
  const token = response.json<{ user: { token: string } }>().user.token;
  return { ...user, token, headers: { authorization: `Token ${token}` } };
}

export interface CreatedArticle {
  readonly slug: string;
  readonly title: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly tagList: string[];
}

export async function createArticle(
  app: FastifyInstance,
  author: RegisteredUser,
  fields: { title?: string; description?: string; body?: string; tagList?: string[] } = {},
): Promise<CreatedArticle> {
  const article = {
    title: unique('Title'),
    description: 'A description',
    body: 'A body',
    ...fields,
  };
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/articles',
    headers: author.headers,
    payload: { article },
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ article: CreatedArticle }>().article;
}

/** Logs `user` in again for a fresh token: a role change or suspension revoked the earlier ones. */
export async function signInAgain(
  app: FastifyInstance,
  user: RegisteredUser,
): Promise<RegisteredUser> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/users/login',
    payload: { user: { email: user.email, password: user.password } },
  });
  expect(response.statusCode).toBe(200);
  const token = response.json<{ user: { token: string } }>().user.token;
  return { ...user, token, headers: { authorization: `Token ${token}` } };
}
