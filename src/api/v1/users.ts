import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../../core/http/auth.js';
import { refuseBody } from '../../core/http/json-body.js';
import type { AccountService } from '../../domain/identity/account-service.js';
import { errorResponses } from '../../schemas/error.js';
import { IdempotencyKeyHeaders } from '../../schemas/idempotency.js';
import { LoginBody, NewUserBody, UpdateUserBody, UserResponse } from '../../schemas/user.js';

const tags = ['User and Authentication'];

/** The credentials of a registration request (its schema has been checked). */
function credentialsOf(request: FastifyRequest): LoginBody['user'] {
  return (request.body as NewUserBody).user;
}

export function userRoutes(accounts: AccountService): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.post(
      '/users/login',
      {
        config: { permission: 'public', rateLimit: ['login-ip', 'login-account'] },
        schema: {
          tags,
          summary: 'Log in',
          description: 'A suspended account is refused with 403 once its password is right.',
          body: LoginBody,
          response: { 200: UserResponse, ...errorResponses(400, 401, 403, 413, 415, 422) },
        },
      },
      async (request) => ({ user: await accounts.login(request.body.user) }),
    );

    app.post(
      '/users',
      {
        config: {
          permission: 'public',
          rateLimit: ['registration-ip'],
          // Keys are scoped to the email; nothing of the answer is stored (no token). A replay is
          // a login with the same credentials: the account as it is now and a new token, or 401
          // if the password has been changed since.
          idempotency: {
            anonymousScope: (request) => credentialsOf(request).email.toLowerCase(),
            keep: () => Promise.resolve({}),
            replay: async (_kept, request) => ({
              user: await accounts.login(credentialsOf(request)),
            }),
          },
        },
        schema: {
          tags,
          summary: 'Register',
          headers: IdempotencyKeyHeaders,
          body: NewUserBody,
          response: { 201: UserResponse, ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const user = await accounts.register(request.body.user);
        void reply.code(201);
        return { user };
      },
    );

    app.get(
      '/user',
      {
        config: { permission: 'authenticated' },
        schema: {
          tags,
          summary: 'Get the current user',
          response: { 200: UserResponse, ...errorResponses(401) },
        },
      },
      async (request) => ({ user: await accounts.current(principalOf(request)) }),
    );

    app.put(
      '/user',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'] },
        schema: {
          tags,
          summary: 'Update the current user',
          description:
            'A new `password` revokes every token of the account but the one sent (and the ' +
            'fresh one answered): other sessions must log in again.',
          body: UpdateUserBody,
          response: { 200: UserResponse, ...errorResponses(400, 401, 409, 413, 415, 422) },
        },
      },
      async (request) => ({
        user: await accounts.update(principalOf(request), request.body.user),
      }),
    );

    app.post(
      '/user/logout-all',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'] },
        preValidation: refuseBody,
        schema: {
          tags,
          summary: 'Log out everywhere',
          description:
            'Revokes every token of the account, the one sent included: each is refused with ' +
            '401 from now on. Log in again for a new token. (A password change revokes every ' +
            'token but the one it is made with.)',
          response: {
            204: { description: 'Every token revoked', type: 'null' },
            ...errorResponses(400, 401, 413, 415, 422),
          },
        },
      },
      async (request, reply) => {
        await accounts.logOutEverywhere(principalOf(request));
        return reply.code(204).send(null);
      },
    );
    done();
  };
}
