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
import { isWriteRoute } from './route-methods.js';

/** What a write that declares no body accepts: none, or `{}`, which some clients send anyway. */
const NO_FIELDS = Compile(Type.Object({}, { additionalProperties: false }));

/**
 * Refuses a body sent to a write that takes none, as a schema refuses an unknown field (the same
 * error Fastify raises for a schema, so it becomes the same 422), before the handler runs.
 */
function refuseUnexpectedBody(
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
 * and follow. A write registered after this call without a body schema takes no fields.
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
  app.addHook('onRoute', (route) => {
    if (route.schema?.body !== undefined || !isWriteRoute(route)) return;
    const own = route.preValidation ?? [];
    route.preValidation = [...(Array.isArray(own) ? own : [own]), refuseUnexpectedBody];
  });
}
