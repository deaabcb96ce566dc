import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { principalOf, viewerOf } from '../../core/http/auth.js';
import type { ArticleService } from '../../domain/articles/article-service.js';
import type { CommentService } from '../../domain/comments/comment-service.js';
import type { Administration } from '../../domain/identity/administration.js';
import { pageOf } from '../../domain/shared/pagination.js';
import {
  AccountResponse,
  AuditEventsQuery,
  AuditEventsResponse,
  RemovalBody,
  RoleChangeBody,
  StatusChangeBody,
} from '../../schemas/admin.js';
import { SlugParams } from '../../schemas/article.js';
import { CommentParams } from '../../schemas/comment.js';
import { errorResponses } from '../../schemas/error.js';
import { UsernameParams } from '../../schemas/profile.js';

const tags = ['Administration'];

const removed = { 204: { description: 'Removed; the author is told why', type: 'null' } };

export interface AdminServices {
  readonly administration: Administration;
  readonly articles: ArticleService;
  readonly comments: CommentService;
}

/**
 * Keel's own administration API (spec.md §8), under `/api/v1/admin` only. Each route requires a
 * capability (docs/security.md has the table); every change takes a reason and is audited.
 */
export function adminRoutes({
  administration,
  articles,
  comments,
}: AdminServices): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.put(
      '/accounts/:username/role',
      {
        config: { permission: 'roles:manage', rateLimit: ['write-user'] },
        schema: {
          tags,
          summary: "Set an account's role",
          description:
            'Grants `moderator` or `admin`, or takes the role away with `user`. Revokes the ' +
            "account's tokens. Refused with 409 if it would leave no active admin. Setting the " +
            'role it has changes nothing and records nothing.',
          params: UsernameParams,
          body: RoleChangeBody,
          response: {
            200: AccountResponse,
            ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
          },
        },
      },
      async (request) => ({
        account: await administration.changeRole(
          principalOf(request),
          request.params.username,
          request.body,
        ),
      }),
    );

    app.put(
      '/accounts/:username/status',
      {
        config: { permission: 'accounts:suspend', rateLimit: ['write-user'] },
        schema: {
          tags,
          summary: 'Suspend or reinstate an account',
          description:
            "`suspended` revokes the account's tokens at once and refuses its logins; `active` " +
            'lets it log in again. Only admins may suspend a moderator or an admin; the last ' +
            'active admin cannot be suspended (409).',
          params: UsernameParams,
          body: StatusChangeBody,
          response: {
            200: AccountResponse,
            ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
          },
        },
      },
      async (request) => ({
        account: await administration.changeStatus(
          principalOf(request),
          request.params.username,
          request.body,
        ),
      }),
    );

    app.get(
      '/audit-events',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags,
          summary: 'The audit stream, newest first',
          description:
            'Filters combine. Page with `before`: each page gives the `next` value to pass.',
          querystring: AuditEventsQuery,
          response: { 200: AuditEventsResponse, ...errorResponses(401, 403, 422) },
        },
      },
      async (request) =>
        administration.auditEvents({ ...request.query, limit: pageOf(request.query).limit }),
    );

    app.post(
      '/articles/:slug/removal',
      {
        config: { permission: 'articles:moderate', rateLimit: ['write-user'] },
        schema: {
          tags,
          summary: "Remove anyone's article",
          params: SlugParams,
          body: RemovalBody,
          response: { ...removed, ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        await articles.removeAsModerator(
          viewerOf(request),
          request.params.slug,
          request.body.reason,
        );
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/articles/:slug/comments/:id/removal',
      {
        config: { permission: 'comments:moderate', rateLimit: ['write-user'] },
        schema: {
          tags,
          summary: "Remove anyone's comment",
          params: CommentParams,
          body: RemovalBody,
          response: { ...removed, ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        await comments.removeAsModerator(
          viewerOf(request),
          request.params.slug,
          request.params.id,
          request.body.reason,
        );
        return reply.code(204).send(null);
      },
    );
    done();
  };
}
