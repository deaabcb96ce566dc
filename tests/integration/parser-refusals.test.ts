import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

/**
 * Requests Node's HTTP parser refuses never reach Fastify's routes or hooks, so they are sent
 * here as raw bytes to a listening server, and read back as raw bytes.
 */

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await createTestApp();
  port = Number(new URL(await t.app.listen({ host: '127.0.0.1', port: 0 })).port);
});
afterAll(() => t.close());

interface RawResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: unknown;
}

/**
 * Sends `request` on a new connection and reads until the server closes it; `onConnected` gets
 * the server's side of the connection.
 */
function sendRaw(request: Buffer, onConnected?: (socket: Socket) => void): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    if (onConnected !== undefined) t.app.server.once('connection', onConnected);
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = new Map(
        lines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
        }),
      );
      const status = Number(statusLine.split(' ')[1]);
      // Parsed in a promise, so a body that is not JSON rejects instead of throwing in the event.
      resolve(Promise.resolve(body).then((text) => ({ status, headers, body: JSON.parse(text) })));
    });
    socket.end(request);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A request as bytes and what it must be answered; `onConnected` gets the server's side. */
interface Refusal {
  readonly request: Buffer;
  readonly onConnected?: (socket: Socket) => void;
  readonly status: number;
  readonly body: unknown;
}

const BAD_REQUEST = {
  status: 400,
  body: {
    errors: { request: ['is invalid'] },
    error: { code: 'bad_request', message: 'the request could not be parsed' },
  },
};

// Node raises this after `headersTimeout`; the test raises it at once on the server's side.
const timedOut = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });

const refusals: Readonly<Record<string, Refusal>> = {
  'a method Node does not know': {
    request: Buffer.from('FOO /api/v1/tags HTTP/1.1\r\nHost: x\r\n\r\n'),
    ...BAD_REQUEST,
  },
  'a raw byte outside ASCII in the query string': {
    request: Buffer.concat([
      Buffer.from('GET /api/v1/tags?x='),
      Buffer.from('é', 'utf8'),
      Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
    ]),
    ...BAD_REQUEST,
  },
  'headers over the parser limit': {
    request: Buffer.from(
      `GET /api/v1/tags HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ),
    status: 431,
    body: {
      errors: { headers: ['are too large'] },
      error: { code: 'headers_too_large', message: 'the request headers are too large' },
    },
  },
  'a chunk extension over the parser limit': {
    request: Buffer.from(
      'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Transfer-Encoding: chunked\r\n\r\n2;x=${'a'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`,
    ),
    status: 413,
    body: {
      errors: { body: ['is too large'] },
      error: { code: 'payload_too_large', message: 'the request body is too large' },
    },
  },
  'a request that did not arrive in time': {
    request: Buffer.from('GET /api/v1/ta'),
    onConnected: (socket) => {
      socket.once('data', () => t.app.server.emit('clientError', timedOut, socket));
    },
    status: 408,
    body: {
      errors: { request: ['timed out'] },
      error: { code: 'request_timeout', message: 'the request took too long to arrive' },
    },
  },
};

describe('requests the HTTP parser refuses', () => {
  it.each(Object.entries(refusals))(
    'answers %s in the error shape, with a request id, and closes',
    async (_name, { request, onConnected, status, body }) => {
      const response = await sendRaw(request, onConnected);
      expect(response.status).toBe(status);
      expect(response.headers.get('x-request-id')).toMatch(UUID);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('connection')).toBe('close');
      expect(response.body).toEqual(body);
    },
  );

  it('still serves the next connection', async () => {
    const response = await sendRaw(
      Buffer.from('GET /api/v1/tags HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ tags: expect.any(Array) });
  });
});
