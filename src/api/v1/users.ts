import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { viewerOf } from '../../core/http/auth.js';
import type { AccountService } from '../../domain/identity/account-service.js';
import { errorResponses } from '../../schemas/error.js';
import { LoginBody, NewUserBody, UpdateUserBody, UserResponse } from '../../schemas/user.js';

const tags = ['User and Authentication'];

export function userRoutes(accounts: AccountService): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.post(
      '/users/login',
      {
        config: { auth: 'none', rateLimit: ['login-ip', 'login-account'] },
        schema: {
          tags,
          summary: 'Log in',
          body: LoginBody,
          response: { 200: UserResponse, ...errorResponses(400, 401, 413, 415, 422) },
        },
      },
      async (request) => ({ user: await accounts.login(request.body.user) }),
    );

    app.post(
      '/users',
      {
        config: { auth: 'none', rateLimit: ['registration-ip'] },
        schema: {
          tags,
          summary: 'Register',
          body: NewUserBody,
          response: { 201: UserResponse, ...errorResponses(400, 409, 413, 415, 422) },
        },
      },
      async (request, reply) =>
        reply.code(201).send({ user: await accounts.register(request.body.user) }),
    );

    app.get(
      '/user',
      {
        config: { auth: 'required' },
        schema: {
          tags,
          summary: 'Get the current user',
          response: { 200: UserResponse, ...errorResponses(401) },
        },
      },
      async (request) => ({ user: await accounts.current(viewerOf(request)) }),
    );

    app.put(
      '/user',
      {
        config: { auth: 'required', rateLimit: ['write-user'] },
        schema: {
          tags,
          summary: 'Update the current user',
          body: UpdateUserBody,
          response: { 200: UserResponse, ...errorResponses(400, 401, 409, 413, 415, 422) },
        },
      },
      async (request) => ({ user: await accounts.update(viewerOf(request), request.body.user) }),
    );
    done();
  };
}
