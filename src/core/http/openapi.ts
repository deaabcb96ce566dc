import type { SwaggerOptions } from '@fastify/swagger';

const LEGACY_PREFIX = '/api/';
const CANONICAL_PREFIX = '/api/v1/';

/**
 * OpenAPI 3.1 generated from the route schemas. The `/api` alias serves the very same routes,
 * so it is described once in the text instead of doubling every path; routes that need a
 * token say so from their `config.auth`.
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
    const auth = route.config?.auth;
    return {
      url,
      schema: {
        ...schema,
        ...(legacy && { hide: true }),
        ...(auth === 'required' && { security: [{ Token: [] }] }),
        // An empty requirement is OpenAPI's way to say "anonymous is fine too".
        ...(auth === 'optional' && { security: [{}, { Token: [] }] }),
      },
    };
  },
};
