import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { viewerOf } from '../../core/http/auth.js';
import type { ArticleReader } from '../../domain/articles/article-reader.js';
import type { ArticleService } from '../../domain/articles/article-service.js';
import type { ArticleQueries } from '../../domain/articles/ports.js';
import { pageOf } from '../../domain/shared/pagination.js';
import {
  ArticleListQuery,
  ArticleResponse,
  FeedQuery,
  MultipleArticlesResponse,
  NewArticleBody,
  SlugParams,
  TagsResponse,
  UpdateArticleBody,
} from '../../schemas/article.js';
import { errorResponses } from '../../schemas/error.js';
import { IdempotencyKeyHeaders } from '../../schemas/idempotency.js';

export function articleRoutes(
  articles: ArticleService,
  reader: ArticleReader,
  queries: ArticleQueries,
): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.get(
      '/articles',
      {
        config: { permission: 'public-personalized' },
        schema: {
          tags: ['Articles'],
          summary: 'List articles, newest first',
          querystring: ArticleListQuery,
          response: { 200: MultipleArticlesResponse, ...errorResponses(401, 422) },
        },
      },
      async (request) => reader.list(request.query, pageOf(request.query), request.viewer),
    );

    app.get(
      '/articles/feed',
      {
        config: { permission: 'authenticated' },
        schema: {
          tags: ['Articles'],
          summary: 'Articles by followed users, newest first',
          querystring: FeedQuery,
          response: { 200: MultipleArticlesResponse, ...errorResponses(401, 422) },
        },
      },
      async (request) => queries.feed(viewerOf(request), pageOf(request.query)),
    );

    app.get(
      '/articles/:slug',
      {
        config: { permission: 'public-personalized' },
        schema: {
          tags: ['Articles'],
          summary: 'Get an article',
          params: SlugParams,
          response: { 200: ArticleResponse, ...errorResponses(401, 404) },
        },
      },
      async (request) => ({ article: await reader.get(request.params.slug, request.viewer) }),
    );

    app.post(
      '/articles',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'], idempotency: {} },
        schema: {
          tags: ['Articles'],
          summary: 'Publish an article',
          headers: IdempotencyKeyHeaders,
          body: NewArticleBody,
          response: { 201: ArticleResponse, ...errorResponses(400, 401, 409, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const article = await articles.publish(viewerOf(request), request.body.article);
        void reply.code(201);
        return { article };
      },
    );

    app.put(
      '/articles/:slug',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'] },
        schema: {
          tags: ['Articles'],
          summary: 'Update an article (author only); the slug does not change',
          params: SlugParams,
          body: UpdateArticleBody,
          response: { 200: ArticleResponse, ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
        },
      },
      async (request) => ({
        article: await articles.edit(viewerOf(request), request.params.slug, request.body.article),
      }),
    );

    app.delete(
      '/articles/:slug',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'] },
        schema: {
          tags: ['Articles'],
          summary: 'Delete an article with its comments and favorites (author only)',
          params: SlugParams,
          response: {
            204: { description: 'Deleted', type: 'null' },
            ...errorResponses(400, 401, 403, 404, 413, 415),
          },
        },
      },
      async (request, reply) => {
        await articles.remove(viewerOf(request), request.params.slug);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/articles/:slug/favorite',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'] },
        schema: {
          tags: ['Favorites'],
          summary: 'Favorite an article (idempotent)',
          params: SlugParams,
          response: { 200: ArticleResponse, ...errorResponses(400, 401, 404, 413, 415) },
        },
      },
      async (request) => ({
        article: await articles.favorite(viewerOf(request), request.params.slug),
      }),
    );

    app.delete(
      '/articles/:slug/favorite',
      {
        config: { permission: 'authenticated', rateLimit: ['write-user'] },
        schema: {
          tags: ['Favorites'],
          summary: 'Unfavorite an article (idempotent)',
          params: SlugParams,
          response: { 200: ArticleResponse, ...errorResponses(400, 401, 404, 413, 415) },
        },
      },
      async (request) => ({
        article: await articles.unfavorite(viewerOf(request), request.params.slug),
      }),
    );

    app.get(
      '/tags',
      {
        config: { permission: 'public' },
        schema: { tags: ['Tags'], summary: 'Tags in use, sorted', response: { 200: TagsResponse } },
      },
      async () => ({ tags: await queries.tags() }),
    );
    done();
  };
}
