import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';

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
