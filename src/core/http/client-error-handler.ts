import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyInstance } from 'fastify';
import { errorBody, type ErrorBody } from './error-body.js';
import { PAYLOAD_TOO_LARGE } from './error-handler.js';

/** What Keel answers to a request Node's HTTP parser refused, by the parser's error code. */
function refusal(code: string | undefined): { readonly status: number; readonly body: ErrorBody } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        body: errorBody('headers_too_large', 'the request headers are too large', {
          headers: ['are too large'],
        }),
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return PAYLOAD_TOO_LARGE;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        body: errorBody('request_timeout', 'the request took too long to arrive', {
          request: ['timed out'],
        }),
      };
    default:
      return {
        status: 400,
        body: errorBody('bad_request', 'the request could not be parsed', {
          request: ['is invalid'],
        }),
      };
  }
}

/**
 * Requests that never reach Fastify, because Node's HTTP parser refused them (a method it does
 * not know, a raw byte outside ASCII in the URL, headers or a chunk extension over its limits, a
 * request that did not arrive in time), answered in Keel's error shape with a request id of their
 * own; the connection is then closed, as the parser can't find where the next request would
 * start. Passed to Fastify as `clientErrorHandler`, which binds `this` to the instance.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: ConnectionError,
  socket: Socket,
): void {
  // A reset connection is gone: there is nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, body } = refusal(error.code);
  const requestId = randomUUID();
  // Debug, as Fastify's own handler logs these at trace: scanners send them by the thousand.
  this.log.debug({ reqId: requestId, code: error.code, status }, 'request refused by the parser');
  // A response already under way on this connection (a request in flight) can't get a second one.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    const json = JSON.stringify(body);
    socket.write(
      [
        `HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? ''}`,
        'content-type: application/json; charset=utf-8',
        `content-length: ${String(Buffer.byteLength(json))}`,
        `x-request-id: ${requestId}`,
        'connection: close',
        '',
        json,
      ].join('\r\n'),
    );
  }
  socket.destroy();
}
