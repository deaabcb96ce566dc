import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { viewerOf } from '../../core/http/auth.js';
import type { ProfileService } from '../../domain/profiles/profile-service.js';
import { errorResponses } from '../../schemas/error.js';
import { ProfileResponse, UsernameParams } from '../../schemas/profile.js';

const tags = ['Profile'];

export function profileRoutes(profiles: ProfileService): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.get(
      '/profiles/:username',
      {
        config: { permission: 'public-personalized' },
        schema: {
          tags,
          summary: 'Get a profile',
          params: UsernameParams,
          response: { 200: ProfileResponse, ...errorResponses(401, 404) },
        },
      },
      async (request) => ({ profile: await profiles.get(request.params.username, request.viewer) }),
    );

    app.post(
      '/profiles/:username/follow',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'] },
        schema: {
          tags,
          summary: 'Follow a user (idempotent)',
          params: UsernameParams,
          response: { 200: ProfileResponse, ...errorResponses(400, 401, 404, 413, 415, 422) },
        },
      },
      async (request) => ({
        profile: await profiles.follow(viewerOf(request), request.params.username),
      }),
    );

    app.delete(
      '/profiles/:username/follow',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'] },
        schema: {
          tags,
          summary: 'Unfollow a user (idempotent)',
          params: UsernameParams,
          response: { 200: ProfileResponse, ...errorResponses(400, 401, 404, 413, 415, 422) },
        },
      },
      async (request) => ({
        profile: await profiles.unfollow(viewerOf(request), request.params.username),
      }),
    );
    done();
  };
}
