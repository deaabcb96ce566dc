import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import { errorResponses } from '../../schemas/error.js';
import type { Permission } from './permissions.js';

const LEGACY_PREFIX = '/api/';
const CANONICAL_PREFIX = '/api/v1/';

/** Whether an operation needs the token (an empty requirement: "anonymous is fine too"). */
function securityOf(permission: Permission | undefined): Pick<FastifySchema, 'security'> {
  switch (permission) {
    case undefined:
    case 'public':
      return {};
    case 'public-personalized':
      return { security: [{}, { Token: [] }] };
    default:
      return { security: [{ Token: [] }] };
  }
}

/**
 * OpenAPI 3.1 generated from the route schemas. The `/api` alias serves the very same routes,
 * so it is described once in the text instead of doubling every path; each operation's security
 * and permission come from its `config.permission`.
 */
export const openApiDocument: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Keel — Conduit API',
      version: '1.0.0',
      description:
        'The RealWorld Conduit API (spec 2.0.0). Canonical base path `/api/v1`; every route is also ' +
        'served under `/api` for existing Conduit clients. Errors carry both `errors` (RealWorld) and ' +
        '`error` (code, message, details).',
    },
    components: {
      securitySchemes: {
        Token: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: '`Token <jwt>` (RealWorld) or `Bearer <jwt>`',
        },
      },
    },
  },
  // Shared schemas appear under their own `$id` (`ErrorResponse`), not a generated `def-N`.
  refResolver: {
    buildLocalReference: (json, _baseUri, _fragment, index) =>
      typeof json.$id === 'string' ? json.$id : `def-${String(index)}`,
  },
  transform: ({ schema, url, route }) => {
    const legacy = url.startsWith(LEGACY_PREFIX) && !url.startsWith(CANONICAL_PREFIX);
    const permission = route.config?.permission;
    const api = url.startsWith(LEGACY_PREFIX);
    return {
      url,
      schema: {
        ...schema,
        // Any API route can meet these: a malformed URL, an over-long path parameter, a bug, or
        // the database being down. Documented here once instead of on every route.
        ...(api && {
          response: {
            ...errorResponses(400, 414, 500, 503),
            ...((route.config?.rateLimit?.length ?? 0) > 0 && errorResponses(429)),
            ...(schema.response as object | undefined),
          },
        }),
        ...(legacy && { hide: true }),
        ...(permission !== undefined && {
          description: [schema.description, `Permission: \`${permission}\` (spec.md §8).`]
            .filter((text) => text !== undefined)
            .join('\n\n'),
        }),
        ...securityOf(permission),
      },
    };
  },
};
