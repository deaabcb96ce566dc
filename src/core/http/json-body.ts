import { isUtf8 } from 'node:buffer';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';

/** What a route that takes no body accepts: none, or `{}`, which some clients send anyway. */
const NO_FIELDS = Compile(Type.Object({}, { additionalProperties: false }));

/**
 * A `preValidation` hook for a route of Keel's own that takes no body: nothing or `{}` passes, and
 * any other body is refused as a schema refuses an unknown field (the error Fastify raises for a
 * schema, so it becomes the same 422), before the handler runs. RealWorld's own bodiless writes
 * (follow, favorite, the deletes) don't use it: older Conduit clients send a body there, the
 * original Postman collection `{"user": {"email": …}}` on follow, and they keep working.
 */
export function refuseBody(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const { body } = request;
  if (body === undefined || NO_FIELDS.Check(body)) {
    done();
    return;
  }
  const error: FastifyError = Object.assign(new Error('the request body is invalid'), {
    code: 'FST_ERR_VALIDATION',
    statusCode: 400,
    validation: [...NO_FIELDS.Errors(body)],
    validationContext: 'body' as const,
  });
  done(error);
}

/**
 * JSON is the only body Keel accepts (anything else is a 415), parsed by Fastify's own parser
 * (prototype-poisoning safe) once its bytes are checked to be UTF-8, as JSON text must be (RFC
 * 8259): a broken byte is a 400 `malformed_json`, not a U+FFFD stored in its place. An empty body
 * is "no body": clients send `Content-Type: application/json` on bodiless POSTs such as favorite
 * and follow.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
      if (body.length === 0) {
        done(null, undefined);
        return;
      }
      if (!isUtf8(body)) {
        done(new SyntaxError('the request body is not valid UTF-8'));
        return;
      }
      void parse(request, body.toString('utf8'), done);
    },
  );
}
