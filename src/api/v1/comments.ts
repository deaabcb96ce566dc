import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { viewerOf } from '../../core/http/auth.js';
import type { CommentService } from '../../domain/comments/comment-service.js';
import { SlugParams } from '../../schemas/article.js';
import {
  CommentParams,
  CommentResponse,
  MultipleCommentsResponse,
  NewCommentBody,
} from '../../schemas/comment.js';
import { errorResponses } from '../../schemas/error.js';
import { IdempotencyKeyHeaders } from '../../schemas/idempotency.js';

const tags = ['Comments'];

export function commentRoutes(comments: CommentService): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.get(
      '/articles/:slug/comments',
      {
        config: { permission: 'public-personalized' },
        schema: {
          tags,
          summary: "An article's comments, newest first",
          params: SlugParams,
          response: { 200: MultipleCommentsResponse, ...errorResponses(401, 404) },
        },
      },
      async (request) => ({ comments: await comments.list(request.params.slug, request.viewer) }),
    );

    app.post(
      '/articles/:slug/comments',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'], idempotency: {} },
        schema: {
          tags,
          summary: 'Comment on an article',
          headers: IdempotencyKeyHeaders,
          params: SlugParams,
          body: NewCommentBody,
          response: {
            201: CommentResponse,
            ...errorResponses(400, 401, 404, 409, 413, 415, 422),
          },
        },
      },
      async (request, reply) => {
        const { slug } = request.params;
        const comment = await comments.add(viewerOf(request), slug, request.body.comment.body);
        void reply.code(201);
        return { comment };
      },
    );

    app.delete(
      '/articles/:slug/comments/:id',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'] },
        schema: {
          tags,
          summary: 'Delete a comment (its author only)',
          params: CommentParams,
          response: {
            204: { description: 'Deleted', type: 'null' },
            ...errorResponses(400, 401, 403, 404, 413, 415, 422),
          },
        },
      },
      async (request, reply) => {
        await comments.remove(viewerOf(request), request.params.slug, request.params.id);
        return reply.code(204).send(null);
      },
    );
    done();
  };
}
