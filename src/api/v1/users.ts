import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { viewerOf } from '../../core/http/auth.js';
import type { AccountService } from '../../domain/identity/account-service.js';
import { parseUserId, type UserId } from '../../domain/shared/ids.js';
import { errorResponses } from '../../schemas/error.js';
import { IdempotencyKeyHeaders } from '../../schemas/idempotency.js';
import { LoginBody, NewUserBody, UpdateUserBody, UserResponse } from '../../schemas/user.js';

const tags = ['User and Authentication'];

/** The account id a registration's idempotency record keeps. */
function keptAccount(kept: unknown): UserId {
  const id = parseUserId(String((kept as { account?: unknown }).account));
  if (id === undefined) throw new Error('idempotency record without an account id');
  return id;
}

/** `subjectOf` names the account a token was issued for. */
export function userRoutes(
  accounts: AccountService,
  subjectOf: (token: string) => Promise<UserId>,
): FastifyPluginCallbackTypebox {
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
        config: {
          auth: 'none',
          rateLimit: ['registration-ip'],
          // No token is stored: a replay answers with the account as it is now and a new token.
          idempotency: {
            keep: async (answer) => ({
              account: String(await subjectOf((answer as UserResponse).user.token)),
            }),
            replay: async (kept) => ({ user: await accounts.current(keptAccount(kept)) }),
          },
        },
        schema: {
          tags,
          summary: 'Register',
          headers: IdempotencyKeyHeaders,
          body: NewUserBody,
          response: { 201: UserResponse, ...errorResponses(400, 409, 413, 415, 422) },
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
