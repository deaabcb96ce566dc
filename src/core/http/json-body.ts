import type { FastifyInstance } from 'fastify';

/**
 * JSON is the only body Keel accepts (anything else is a 415), parsed by Fastify's own parser
 * (prototype-poisoning safe), except that an empty body is "no body": clients send
 * `Content-Type: application/json` on bodiless POSTs such as favorite and follow.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    void parse(request, body.toString(), done);
  });
}
