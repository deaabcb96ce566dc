import { Type, type TSchema } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    // additionalProperties, not a Record: its `^.*$` key pattern would drop a key with a newline.
    errors: Type.Object(
      {},
      {
        additionalProperties: Type.Array(Type.String()),
        description: 'RealWorld shape: field or resource → messages',
      },
    ),
    error: Type.Object({
      code: Type.String({
        description: 'Stable code from the error catalogue (docs/api-design.md)',
      }),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'ErrorResponse', description: 'Error' },
);

const descriptions: Readonly<Record<number, string>> = {
  400: 'Malformed request (e.g. invalid JSON)',
  401: 'Missing or invalid token, or invalid credentials',
  403: "The caller may not change this resource, its role lacks the route's permission, or the account is suspended",
  404: 'No such resource',
  409: 'A unique value is already taken, or the change would leave no active admin',
  413: 'Body too large',
  415: 'Body is not application/json',
  414: 'A path parameter is too long',
  422: 'The request failed validation',
  429: 'Too many requests; retry after the Retry-After delay',
  500: 'A bug on our side; the body carries the request id',
  503: 'A dependency is down; retry after the Retry-After delay',
};

/** The documented error responses of a route, all with the one error body. */
export function errorResponses(...statuses: readonly number[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      Type.Ref('ErrorResponse', { description: descriptions[status] ?? 'Error' }),
    ]),
  );
}
