/**
 * spec.md §1: "every client mistake is answered with a documented 4xx status and error body
 * (§6), the database unchanged; no client mistake yields a 500". Properties send wide, hostile
 * input (bodies, path and query parameters, headers) to every endpoint, mixed with valid parts
 * (a real token, a real slug), and check that the answer is never a 5xx, that every 4xx carries
 * both error shapes with a catalogued code, and that a refused write wrote nothing.
 */
import fc from 'fast-check';
import type { HTTPMethods, InjectOptions, LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemAdministration } from '../../src/infrastructure/db/identity/system-administration.js';
import {
  createTestApp,
  rowChanges,
  rowCounts,
  TEST_TOKEN_SECRET,
  type TestApp,
} from '../helpers/app.js';
import {
  createArticle,
  registerUser,
  signInAgain,
  type CreatedArticle,
  type RegisteredUser,
} from '../helpers/factories.js';

/** Runs per property: wide enough to find the classes of mistakes, small enough for CI. */
const RUNS = 120;
/** Shrinking a failure replays many requests; give a failing property room to report. */
const PROPERTY_TIMEOUT_MS = 120_000;

/** spec.md §6: every 4xx status Keel documents, with the codes it may carry. */
const CATALOGUE: Readonly<Record<number, readonly string[]>> = {
  400: ['malformed_json', 'bad_request'],
  401: ['invalid_credentials', 'token_missing', 'token_invalid'],
  403: ['forbidden', 'account_suspended'],
  404: ['not_found', 'route_not_found'],
  409: ['already_taken', 'last_admin'],
  413: ['payload_too_large'],
  414: ['uri_too_long'],
  415: ['unsupported_media_type'],
  422: ['validation_failed'],
};

// ---------------------------------------------------------------------------------------------
// Fixture: one app, a few users, one article with one comment.
// ---------------------------------------------------------------------------------------------

let t: TestApp;
let author: RegisteredUser;
let other: RegisteredUser;
/** The only user whose account the PUT /user property may change. */
let mutable: RegisteredUser;
let article: CreatedArticle;
let commentId: number;
/** The admin the administration properties act as, and the only account they change. */
let admin: RegisteredUser;
let subject: RegisteredUser;
/** What the moderation properties may remove (no other property reads them). */
let doomed: CreatedArticle;
let doomedCommentId: number;
/** Syntactically fine tokens that must all be refused (forged, expired, unknown user, …). */
let badTokens: string[];

const SECRET = new TextEncoder().encode(TEST_TOKEN_SECRET);

function jwt(
  claims: { sub?: string; iss?: string; aud?: string; exp?: number; token_version?: unknown },
  secret = SECRET,
) {
  const token = new SignJWT({ token_version: claims.token_version })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt();
  if (claims.sub !== undefined) token.setSubject(claims.sub);
  token.setIssuer(claims.iss ?? 'keel').setAudience(claims.aud ?? 'keel');
  token.setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 3600);
  return token.sign(secret);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

beforeAll(async () => {
  t = await createTestApp();
  author = await registerUser(t.app);
  other = await registerUser(t.app);
  mutable = await registerUser(t.app);
  article = await createArticle(t.app, author, { tagList: ['fuzz'] });
  const comment = await t.app.inject({
    method: 'POST',
    url: `/api/v1/articles/${article.slug}/comments`,
    headers: author.headers,
    payload: { comment: { body: 'the target comment' } },
  });
  expect(comment.statusCode).toBe(201);
  commentId = comment.json<{ comment: { id: number } }>().comment.id;
  const first = await registerUser(t.app);
  await createSystemAdministration(t.db, []).changeRole('system', first.username, {
    role: 'admin',
    reason: 'fixture',
  });
  admin = await signInAgain(t.app, first);
  subject = await registerUser(t.app);
  doomed = await createArticle(t.app, other);
  const doomedComment = await t.app.inject({
    method: 'POST',
    url: `/api/v1/articles/${doomed.slug}/comments`,
    headers: other.headers,
    payload: { comment: { body: 'a comment to remove' } },
  });
  doomedCommentId = doomedComment.json<{ comment: { id: number } }>().comment.id;

  const past = Math.floor(Date.now() / 1000) - 60;
  const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: '1', iss: 'keel', aud: 'keel', exp: 4102444800 })}.`;
  badTokens = [
    await jwt({ sub: '1' }, new TextEncoder().encode('another-secret-that-is-32-bytes-long!!')),
    await jwt({ sub: '1', exp: past }),
    await jwt({ sub: '1', iss: 'someone-else' }),
    await jwt({ sub: '1', aud: 'someone-else' }),
    await jwt({}),
    await jwt({ sub: 'abc' }),
    await jwt({ sub: '0' }),
    await jwt({ sub: '-1' }),
    await jwt({ sub: '1.5' }),
    await jwt({ sub: '01' }),
    await jwt({ sub: '99999999999' }),
    // Well-signed tokens for accounts that do not exist.
    await jwt({ sub: '999999', token_version: 0 }),
    await jwt({ sub: '2147483647', token_version: 0 }),
    // Of an account that exists, but without a token version or of one it never had.
    await jwt({ sub: '1' }),
    await jwt({ sub: '1', token_version: 1 }),
    await jwt({ sub: '1', token_version: -1 }),
    await jwt({ sub: '1', token_version: '0' }),
    unsigned,
    `${author.token}x`,
    author.token.slice(0, -2),
    author.token.split('.').slice(0, 2).join('.'),
  ];
});
afterAll(() => t.close());

// ---------------------------------------------------------------------------------------------
// Oracles
// ---------------------------------------------------------------------------------------------

/** A readable one-line account of an exchange, with long strings cut. */
function show(request: InjectOptions, response: LightMyRequestResponse): string {
  const cut = (text: string, max = 300) =>
    text.length > max ? `${text.slice(0, max)}…(${String(text.length)} chars)` : text;
  const payload =
    request.payload === undefined
      ? ''
      : Buffer.isBuffer(request.payload)
        ? ` <bytes ${request.payload.toString('hex').slice(0, 200)}>`
        : ` ${cut(typeof request.payload === 'string' ? request.payload : JSON.stringify(request.payload))}`;
  const url = typeof request.url === 'string' ? request.url : JSON.stringify(request.url);
  return (
    `${request.method ?? 'GET'} ${cut(url, 400)} ` +
    `headers=${cut(JSON.stringify(request.headers ?? {}), 400)}${payload}` +
    ` → ${String(response.statusCode)} ${cut(response.body, 500)}`
  );
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * No 5xx; every answer carries a request id (§8); a 4xx is catalogued and carries `errors`
 * (field → messages) and `error.code`.
 */
function expectAnswered(request: InjectOptions, response: LightMyRequestResponse): void {
  const context = show(request, response);
  expect(response.statusCode, context).toBeLessThan(500);
  expect(String(response.headers['x-request-id']), context).toMatch(/^[\w.:-]{1,128}$/);
  if (response.statusCode < 400 || request.method === 'HEAD') return;
  expect(Object.keys(CATALOGUE), context).toContain(String(response.statusCode));
  expect(String(response.headers['content-type']), context).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { errors?: unknown; error?: { code?: unknown } };
  expect(body.errors, context).toEqual(expect.any(Object));
  expect(Array.isArray(body.errors), context).toBe(false);
  const messages = Object.values(body.errors as object);
  expect(messages.length, context).toBeGreaterThan(0);
  expect(messages.every(isStringArray), context).toBe(true);
  expect(body.error?.code, context).toEqual(expect.any(String));
  expect(CATALOGUE[response.statusCode], context).toContain(body.error?.code);
}

/**
 * Sends `request` and checks the answer; for a refused write, that no table changed and that
 * `unchanged` (a read of what the write targets) reads the same before and after.
 */
async function exchange(
  request: InjectOptions,
  unchanged?: () => Promise<unknown>,
): Promise<LightMyRequestResponse> {
  const write = request.method !== 'GET' && request.method !== 'HEAD';
  const before = write ? await rowCounts(t.db) : undefined;
  const state = unchanged === undefined ? undefined : await unchanged();
  const response = await t.app.inject(request);
  expectAnswered(request, response);
  if (write && response.statusCode >= 400) {
    const context = `${show(request, response)} changed the database`;
    // A failed login is audited (spec.md §8): that entry is the one row a refusal may write.
    const audited =
      response.json<{ error?: { code?: string } }>().error?.code === 'invalid_credentials'
        ? { auditEvents: 1 }
        : {};
    expect(rowChanges(before ?? {}, await rowCounts(t.db)), context).toEqual(audited);
    if (unchanged !== undefined) expect(await unchanged(), context).toEqual(state);
  }
  return response;
}

// ---------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------

const SPECIAL_CHARS = [
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u2028',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\ud800',
  '\udfff',
  '🎉',
  'e\u0301',
  'İ',
  'ß',
  '\\',
  '"',
  "'",
  '%',
  '/',
  '?',
  '#',
  '&',
  '=',
  '+',
  '..',
  '\n',
  '\r\n',
  '\t',
  ' ',
  '<script>',
  '${x}',
  '@',
  '-',
  '_',
  '.',
];

const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => String.fromCharCode(code));

const hostileChar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', 'Z', '0', '9') },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_CHARS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
);

const hostileText = fc.string({ unit: hostileChar, maxLength: 24 });

/** Right at and just past every documented length limit (§2.3, §7), plus past the body limit. */
const LENGTHS = [
  50, 51, 64, 65, 100, 120, 121, 200, 201, 254, 255, 256, 257, 1000, 1001, 2000, 2001, 10_000,
  10_001, 100_000, 100_001,
];
const longText = fc
  .tuple(fc.constantFrom(...LENGTHS), fc.constantFrom('a', 'é', '🎉', ' ', '\u0000', '\ud800'))
  .map(([length, char]) => char.repeat(length));

const numericText = fc.constantFrom(
  '1.9',
  '2.7',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e400',
  '0x10',
  'true',
  'false',
  'null',
  'undefined',
  '',
  '[]',
  '{}',
);

const withNul = fc
  .tuple(hostileText, hostileText)
  .map(([before, after]) => `${before}\u0000${after}`);

const hostileString = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  { weight: 1, arbitrary: longText },
  { weight: 1, arbitrary: numericText },
  { weight: 2, arbitrary: withNul },
);

const hostileScalar = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(1.9, -1, 0, -0, 2 ** 31, 2 ** 53 + 1, 1e308, Number.MIN_VALUE),
  },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

const junkKey = fc.oneof(
  fc.constantFrom('id', 'admin', 'role', 'token', 'slug', 'author', 'createdAt', 'constructor', ''),
  hostileText,
);

/** Any JSON value a client might send where a string was expected. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(junkKey, hostileScalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A field that is valid, a hostile string, any other hostile value, or missing. */
function field(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: valid },
    { weight: 4, arbitrary: hostileString },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** An object of the known fields (each valid, hostile or missing), sometimes with extra ones. */
function fields(known: Readonly<Record<string, fc.Arbitrary<unknown>>>): fc.Arbitrary<unknown> {
  const record = fc.record(
    Object.fromEntries(Object.entries(known).map(([name, valid]) => [name, field(valid)])),
  );
  const extra = fc.oneof(
    { weight: 5, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.dictionary(junkKey, hostileValue, { minKeys: 1, maxKeys: 2 }) },
  );
  return fc.tuple(record, extra).map(([values, more]) => ({ ...values, ...more }));
}

/** `{ name: inner }`, or the envelope gone wrong: renamed, doubled, missing, or not an object. */
function envelope(name: string, inner: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const wrongName = fc.constantFrom('user', 'article', 'comment', 'profile', 'data', `${name}s`);
  return fc.oneof(
    { weight: 12, arbitrary: inner.map((value) => ({ [name]: value })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(inner, junkKey, hostileValue)
        .map(([value, key, junk]) => ({ [name]: value, [key]: junk })),
    },
    { weight: 1, arbitrary: fc.tuple(wrongName, inner).map(([key, value]) => ({ [key]: value })) },
    { weight: 1, arbitrary: inner },
    { weight: 1, arbitrary: hostileValue.map((value) => ({ [name]: value })) },
    { weight: 1, arbitrary: hostileValue },
  );
}

/** Header-safe text: what an HTTP parser lets through (tab, visible ASCII, obs-text). */
const headerText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\t', ' ', 'a', '.', '=', ',', ';', '"'),
    fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
    fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)),
  ),
  maxLength: 40,
});

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=UTF-16',
  'application/json; charset=latin1',
  'application/json, text/plain',
  'application/jsonx',
  'application/json-patch+json',
  'application/problem+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '*/*',
  '',
  ';',
  'application/json; boundary="',
];

/** Mostly JSON, sometimes a variant, sometimes garbage, sometimes none at all. */
const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 16, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: headerText },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const RAW_BODIES = [
  '',
  ' ',
  '{',
  '{"user":',
  'null',
  '[]',
  '"x"',
  '1',
  'true',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  '\ufeff{}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"user":{"email":"a@b.co","email":"x"}}',
  '{"article":{"title":1e400}}',
  '{"comment":{"body":"\\u0000"}}',
  '{"comment":{"body":"\\ud800"}}',
  '['.repeat(100_000),
  `{"article":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
];

interface Body {
  readonly contentType: string | undefined;
  readonly payload: string | Buffer | undefined;
}

/** A JSON body from `value`, a malformed one, invalid UTF-8, a body over 1 MiB, or none. */
function body(value: fc.Arbitrary<unknown>): fc.Arbitrary<Body> {
  return fc.oneof(
    {
      weight: 12,
      arbitrary: fc
        .tuple(value, contentType)
        .map(([json, type]): Body => ({ contentType: type, payload: JSON.stringify(json) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...RAW_BODIES)
        .map((payload): Body => ({ contentType: 'application/json', payload })),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 16 })
        .map((bytes): Body => ({ contentType: 'application/json', payload: Buffer.from(bytes) })),
    },
    {
      weight: 1,
      arbitrary: fc.constant<Body>({
        contentType: 'application/json',
        payload: `{"a":"${'x'.repeat(1024 * 1024)}"}`,
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .option(contentType)
        .map((type): Body => ({ contentType: type ?? undefined, payload: undefined })),
    },
  );
}

/** Percent-encodes any string, lone surrogates too (as the invalid UTF-8 a client could send). */
function encodeLoosely(text: string): string {
  let encoded = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) {
      const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
      encoded += bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    } else {
      encoded += encodeURIComponent(char);
    }
  }
  return encoded;
}

const RAW_URL_PIECES = [
  '%',
  '%0',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%2F',
  '%2e%2e',
  '..',
  '.',
  'a%20b',
  '%ED%A0%80',
  '%C0%AF',
  '%F4%90%80%80',
  '%FF',
  '+',
  '-',
  '--',
  '',
];

/** A URL piece (path segment or query value) as a client could send it, already encoded. */
const urlPiece = fc.oneof(
  { weight: 5, arbitrary: hostileString.map(encodeLoosely) },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 12 })
      .map((bytes) => [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')),
  },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_URL_PIECES) },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 260 }).map((length) => 'a'.repeat(length)) },
);

/** A path parameter: the valid one, a near miss of it, or anything. */
function pathParam(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(valid) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        valid.toUpperCase(),
        `${valid}-`,
        `${valid}%00`,
        `${valid}%20`,
        `%20${valid}`,
        `${valid}/`,
        `${valid}.json`,
        `${valid}${'a'.repeat(200)}`,
      ),
    },
    { weight: 5, arbitrary: urlPiece },
  );
}

const PAGE_VALUES = [
  '2.7',
  '1.0',
  'true',
  'false',
  '-1',
  '0',
  '1',
  '20',
  '100',
  '101',
  '10000',
  '10001',
  '1e3',
  '1e1',
  '0x10',
  '',
  'NaN',
  'Infinity',
  '-0',
  '+5',
  ' 5',
  '5 ',
  '05',
  '1_000',
  '٣',
  '99999999999999999999',
  '9007199254740993',
  '.5',
  'null',
];

const pageValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PAGE_VALUES) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 2, arbitrary: hostileString },
);

/** A query string of `keys` (and junk keys) with hostile values, repeats and bare keys. */
function queryString(known: readonly string[], valid: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...known) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', 'x', 'tag[]', 'limit[0]', '__proto__', 'constructor', '%00'),
    },
  );
  const value = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...valid) },
    { weight: 2, arbitrary: pageValue.map(encodeLoosely) },
    { weight: 4, arbitrary: urlPiece },
  );
  const part = fc
    .tuple(key, fc.option(value, { freq: 8 }))
    .map(([name, text]) => (text === null ? name : `${name}=${text}`));
  return fc
    .array(part, { maxLength: 5 })
    .map((parts) => (parts.length === 0 ? '' : `?${parts.join('&')}`));
}

/** An `Authorization` header: a real user's token, none, or one that must be refused. */
function authorization(users: readonly RegisteredUser[]): fc.Arbitrary<string | undefined> {
  const schemes = ['Token ', 'Bearer ', 'token ', 'TOKEN ', 'Token  ', 'Token\t', 'Basic ', ''];
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.constantFrom(
        ...users.flatMap((user) => [`Token ${user.token}`, `Bearer ${user.token}`]),
      ),
    },
    { weight: 2, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...schemes), fc.constantFrom(...badTokens))
        .map(([scheme, token]) => `${scheme}${token}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'Token',
        'Token ',
        'Bearer',
        'Bearer x.y.z',
        'Token x.y.z',
        'Token a b',
        'Token null',
        'Basic dXNlcjpwYXNzd29yZA==',
        `Token ${'a'.repeat(10_000)}`,
        `Token ${'a.'.repeat(5_000)}a`,
        `Token ${author.token} ${other.token}`,
      ),
    },
    { weight: 1, arbitrary: headerText },
    { weight: 1, arbitrary: headerText.map((text) => `Token ${text}`) },
  );
}

const requestId = fc.option(
  fc.oneof(
    fc.constantFrom('abc-123', 'a'.repeat(128), 'a'.repeat(129), '', ' ', '../x', 'a b', '\u00ff'),
    headerText,
  ),
  { freq: 3 },
);

/** Builds a request, leaving out every header the generators left undefined. */
function request(
  method: HTTPMethods,
  url: string,
  parts: {
    readonly auth?: string | undefined;
    readonly id?: string | null;
    readonly body?: Body;
  } = {},
): InjectOptions {
  const headers: Record<string, string> = {};
  if (parts.auth !== undefined) headers.authorization = parts.auth;
  if (parts.id !== undefined && parts.id !== null) headers['x-request-id'] = parts.id;
  if (parts.body?.contentType !== undefined) headers['content-type'] = parts.body.contentType;
  return {
    method,
    url,
    headers,
    ...(parts.body?.payload !== undefined && { payload: parts.body.payload }),
  };
}

/** One generated name, fresh enough not to collide with the fixture's. */
const name = fc.stringMatching(/^fz[a-z0-9_.-]{1,12}$/);

const V1 = '/api/v1';

/** Where a generated write goes, and what must read the same when it is refused. */
interface Target {
  readonly method: HTTPMethods;
  readonly url: string;
  readonly user?: RegisteredUser;
  readonly unchanged?: () => Promise<unknown>;
}

/** Whether a request body carries U+0000 in a field Keel stores as text (a password is hashed). */
function storesNul(value: unknown, key = ''): boolean {
  if (key === 'password') return false;
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some((item) => storesNul(item));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([property, item]) => storesNul(item, property));
  }
  return false;
}

function run<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>, numRuns = RUNS) {
  return fc.assert(fc.asyncProperty(arbitrary, check), { numRuns });
}

// ---------------------------------------------------------------------------------------------
// Properties, one per endpoint
// ---------------------------------------------------------------------------------------------

describe('no client mistake yields a 5xx (properties)', () => {
  it(
    'POST /users',
    async () => {
      const user = fields({
        username: fc.oneof(name, fc.constantFrom(author.username, author.username.toUpperCase())),
        email: fc.oneof(
          name.map((local) => `${local}@example.com`),
          fc.constant(author.email),
          fc.constant(` ${author.email.toUpperCase()} `),
        ),
        password: fc.constantFrom('password123', 'x'.repeat(256), 'short'),
      });
      await run(fc.tuple(body(envelope('user', user)), requestId), async ([payload, id]) => {
        await exchange(request('POST', `${V1}/users`, { body: payload, id }));
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'POST /users/login',
    async () => {
      const user = fields({
        email: fc.constantFrom(author.email, author.email.toUpperCase(), 'nobody@example.com'),
        password: fc.constantFrom(author.password, 'wrong-password', ''),
      });
      await run(fc.tuple(body(envelope('user', user)), requestId), async ([payload, id]) => {
        await exchange(request('POST', `${V1}/users/login`, { body: payload, id }));
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET /user',
    async () => {
      await run(fc.tuple(authorization([author]), requestId), async ([auth, id]) => {
        await exchange(request('GET', `${V1}/user`, { auth, id }));
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'PUT /user',
    async () => {
      const user = fields({
        username: name,
        email: name.map((local) => `${local}@example.com`),
        password: fc.constant('password123'),
        bio: fc.constantFrom('a bio', '', null),
        image: fc.constantFrom('https://example.com/a.png', '', null, 'javascript:alert(1)'),
      });
      const current = async () => {
        const response = await t.app.inject({
          method: 'GET',
          url: `${V1}/user`,
          headers: mutable.headers,
        });
        return { ...response.json<{ user: object }>().user, token: undefined };
      };
      await run(
        fc.tuple(authorization([mutable]), body(envelope('user', user))),
        async ([auth, payload]) => {
          await exchange(request('PUT', `${V1}/user`, { auth, body: payload }), current);
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET /profiles/:username',
    async () => {
      await run(
        fc.tuple(pathParam(author.username), authorization([author, other])),
        async ([username, auth]) => {
          await exchange(request('GET', `${V1}/profiles/${username}`, { auth }));
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'POST and DELETE /profiles/:username/follow',
    async () => {
      const target = fc.oneof(pathParam(author.username), pathParam(other.username));
      const maybeBody = fc.option(body(hostileValue), { freq: 3 });
      await run(
        fc.tuple(
          fc.constantFrom('POST', 'DELETE'),
          target,
          authorization([author, other]),
          maybeBody,
        ),
        async ([method, username, auth, payload]) => {
          await exchange(
            request(method, `${V1}/profiles/${username}/follow`, {
              auth,
              ...(payload !== null && { body: payload }),
            }),
          );
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET /articles with any query',
    async () => {
      const query = queryString(
        ['tag', 'author', 'favorited', 'limit', 'offset'],
        ['fuzz', author.username, other.username, '1', '20'],
      );
      await run(fc.tuple(query, authorization([author, other])), async ([search, auth]) => {
        await exchange(request('GET', `${V1}/articles${search}`, { auth }));
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET /articles/feed with any query',
    async () => {
      const query = queryString(['limit', 'offset'], ['1', '20']);
      await run(fc.tuple(query, authorization([author, other])), async ([search, auth]) => {
        await exchange(request('GET', `${V1}/articles/feed${search}`, { auth }));
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'POST /articles',
    async () => {
      const fieldsOfArticle = fields({
        title: fc.constantFrom('A title', 'Fuzz'),
        description: fc.constant('A description'),
        body: fc.constant('A body'),
        tagList: fc.oneof(
          fc.constant(['fuzz']),
          fc.array(hostileString, { maxLength: 3 }),
          fc.constant(Array.from({ length: 21 }, (_, index) => `t${String(index)}`)),
        ),
      });
      await run(
        fc.tuple(authorization([author, other]), body(envelope('article', fieldsOfArticle))),
        async ([auth, payload]) => {
          await exchange(request('POST', `${V1}/articles`, { auth, body: payload }));
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET /articles/:slug',
    async () => {
      await run(
        fc.tuple(pathParam(article.slug), authorization([author, other]), requestId),
        async ([slug, auth, id]) => {
          await exchange(request('GET', `${V1}/articles/${slug}`, { auth, id }));
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'PUT /articles/:slug',
    async () => {
      const changes = fields({
        title: fc.constant('An edited title'),
        description: fc.constant('An edited description'),
        body: fc.constant('An edited body'),
        tagList: fc.oneof(fc.constant(['fuzz']), fc.array(hostileString, { maxLength: 3 })),
      });
      const current = async () =>
        (
          await t.app.inject({ method: 'GET', url: `${V1}/articles/${article.slug}` })
        ).json<unknown>();
      await run(
        fc.tuple(
          pathParam(article.slug),
          authorization([author, other]),
          body(envelope('article', changes)),
        ),
        async ([slug, auth, payload]) => {
          await exchange(
            request('PUT', `${V1}/articles/${slug}`, { auth, body: payload }),
            current,
          );
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'DELETE /articles/:slug deletes nothing unless its author names it exactly',
    async () => {
      await run(
        fc.tuple(pathParam(article.slug), authorization([author, other])),
        async ([slug, auth]) => {
          // The one request that may delete the article is left out, so every answer is a refusal.
          fc.pre(slug !== article.slug || auth?.endsWith(author.token) !== true);
          // So is a caller naming exactly another article of their own: an earlier property may
          // have published one, as the author or as the other user, under any title ("true",
          // say), and deleting it is allowed.
          const named = await t.app.inject({ method: 'GET', url: `${V1}/articles/${slug}` });
          const found =
            named.statusCode === 200
              ? named.json<{ article: { slug: string; author: { username: string } } }>().article
              : undefined;
          const owner = [author, other].find((user) => user.username === found?.author.username);
          fc.pre(
            found?.slug !== slug || owner === undefined || auth?.endsWith(owner.token) !== true,
          );
          const sent = request('DELETE', `${V1}/articles/${slug}`, { auth });
          const response = await exchange(sent);
          expect(response.statusCode, show(sent, response)).toBeGreaterThanOrEqual(400);
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'POST and DELETE /articles/:slug/favorite',
    async () => {
      const maybeBody = fc.option(body(hostileValue), { freq: 3 });
      await run(
        fc.tuple(
          fc.constantFrom('POST', 'DELETE'),
          pathParam(article.slug),
          authorization([author, other]),
          maybeBody,
        ),
        async ([method, slug, auth, payload]) => {
          await exchange(
            request(method, `${V1}/articles/${slug}/favorite`, {
              auth,
              ...(payload !== null && { body: payload }),
            }),
          );
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET /articles/:slug/comments',
    async () => {
      await run(
        fc.tuple(pathParam(article.slug), authorization([author, other])),
        async ([slug, auth]) => {
          await exchange(request('GET', `${V1}/articles/${slug}/comments`, { auth }));
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'POST /articles/:slug/comments',
    async () => {
      const comment = fields({ body: fc.constantFrom('A comment', '  padded  ') });
      await run(
        fc.tuple(
          pathParam(article.slug),
          authorization([author, other]),
          body(envelope('comment', comment)),
        ),
        async ([slug, auth, payload]) => {
          await exchange(
            request('POST', `${V1}/articles/${slug}/comments`, { auth, body: payload }),
          );
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'PUT /admin/accounts/:username/role and /status',
    async () => {
      const reason = fc.constantFrom('a reason', '  ', 'x'.repeat(501));
      const change = fc
        .constantFrom('role', 'status')
        .chain((what) =>
          body(
            what === 'role'
              ? fields({ role: fc.constantFrom('user', 'moderator', 'admin'), reason })
              : fields({ status: fc.constantFrom('active', 'suspended'), reason }),
          ).map((payload) => [what, payload] as const),
        );
      await run(
        fc.tuple(change, pathParam(subject.username), authorization([admin, author]), requestId),
        async ([[what, payload], username, auth, id]) => {
          await exchange(
            request('PUT', `${V1}/admin/accounts/${username}/${what}`, { auth, body: payload, id }),
          );
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'POST /admin/articles/:slug/removal and …/comments/:id/removal',
    async () => {
      const removal = fields({ reason: fc.constantFrom('spam', '', 'x'.repeat(501)) });
      const url = fc.oneof(
        pathParam(doomed.slug).map((slug) => `${V1}/admin/articles/${slug}/removal`),
        fc
          .tuple(pathParam(doomed.slug), fc.constantFrom(String(doomedCommentId), '0', 'x', '1.5'))
          .map(([slug, id]) => `${V1}/admin/articles/${slug}/comments/${id}/removal`),
      );
      await run(
        fc.tuple(url, authorization([admin, author]), body(removal)),
        async ([target, auth, payload]) => {
          await exchange(request('POST', target, { auth, body: payload }));
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET /admin/audit-events with any query',
    async () => {
      const query = queryString(
        ['action', 'actor', 'subject', 'before', 'limit'],
        ['account.role_granted', '@system', admin.username, '1', '20'],
      );
      await run(fc.tuple(query, authorization([admin, author])), async ([search, auth]) => {
        await exchange(request('GET', `${V1}/admin/audit-events${search}`, { auth }));
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'DELETE /articles/:slug/comments/:id deletes only for a plain decimal id',
    async () => {
      // Spellings of a fresh comment's id `{id}`: the plain one, and near misses that must not name it.
      const spelling = fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            '{id}',
            '0{id}',
            '{id}.9',
            '{id}.0',
            '{id}.5',
            '{id}e0',
            '{id}0e-1',
            '0x{hex}',
            '+{id}',
            '%20{id}',
            '{id}%20',
            '{id}%00',
            '{id}abc',
            '{id}n',
            '-{id}',
            '{id}.',
            '{id}_0',
            'true',
            'false',
            'null',
            '1.9',
            '0',
            '2147483648',
            '99999999999999999999',
            '9007199254740993',
          ),
        },
        { weight: 1, arbitrary: fc.integer().map(String) },
        { weight: 1, arbitrary: fc.double().map((value) => encodeURIComponent(String(value))) },
        { weight: 2, arbitrary: urlPiece },
      );
      const comments = async () =>
        (await t.app.inject({ method: 'GET', url: `${V1}/articles/${article.slug}/comments` }))
          .json<{ comments: { id: number }[] }>()
          .comments.map((comment) => comment.id);
      await run(
        fc.tuple(pathParam(article.slug), spelling, authorization([author, author, other])),
        async ([slug, template, auth]) => {
          const created = await t.app.inject({
            method: 'POST',
            url: `${V1}/articles/${article.slug}/comments`,
            headers: author.headers,
            payload: { comment: { body: 'a comment to aim at' } },
          });
          const id = created.json<{ comment: { id: number } }>().comment.id;
          const spelled = template
            .replaceAll('{id}', String(id))
            .replaceAll('{hex}', id.toString(16));
          const sent = request('DELETE', `${V1}/articles/${slug}/comments/${spelled}`, { auth });
          const response = await exchange(sent);
          // Plain decimal digits (percent-encoded or not) may name the comment; nothing else may.
          if (!/^(?:\d|%3\d)+$/i.test(spelled)) {
            const context = `${show(sent, response)} deleted comment ${String(id)}`;
            expect(response.statusCode, context).toBeGreaterThanOrEqual(400);
            expect(await comments(), context).toContain(id);
          }
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET /tags',
    async () => {
      await run(
        fc.tuple(queryString(['tag', 'limit'], ['fuzz']), authorization([author]), requestId),
        async ([search, auth, id]) => {
          await exchange(request('GET', `${V1}/tags${search}`, { auth, id }));
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'any method on any route, under either prefix',
    async () => {
      const route = fc.constantFrom(
        '/users',
        '/users/login',
        '/user',
        '/profiles/{username}',
        '/profiles/{username}/follow',
        '/articles',
        '/articles/feed',
        '/articles/{slug}',
        '/articles/{slug}/favorite',
        '/articles/{slug}/comments',
        '/articles/{slug}/comments/{id}',
        '/tags',
      );
      const method = fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom<HTTPMethods>('GET', 'POST', 'PUT', 'DELETE') },
        { weight: 1, arbitrary: fc.constantFrom<HTTPMethods>('PATCH', 'HEAD', 'OPTIONS') },
      );
      await run(
        fc.tuple(
          method,
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom('/api/v1', '/api') },
            { weight: 1, arbitrary: fc.constantFrom('/api/v2', '/API/v1', '/api/v1/', '//api/v1') },
          ),
          route,
          pathParam(other.username),
          pathParam(article.slug),
          pathParam(String(commentId)),
          authorization([other]),
          fc.option(body(hostileValue), { freq: 2 }),
        ),
        async ([verb, prefix, path, username, slug, id, auth, payload]) => {
          const url =
            prefix +
            path.replace('{username}', username).replace('{slug}', slug).replace('{id}', id);
          await exchange(request(verb, url, { auth, ...(payload !== null && { body: payload }) }));
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'text fields: any string reaches the rules, and NUL in stored text is a 422',
    async () => {
      const text = (valid: string) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(valid) },
          { weight: 2, arbitrary: hostileString },
        );
      const some = (record: Readonly<Record<string, fc.Arbitrary<unknown>>>) =>
        fc.record(record, { requiredKeys: [] }).filter((value) => Object.keys(value).length > 0);
      const freshName = fc.oneof(
        { weight: 3, arbitrary: name },
        { weight: 2, arbitrary: hostileString },
      );
      const freshEmail = fc.oneof(
        { weight: 3, arbitrary: name.map((local) => `${local}@example.com`) },
        { weight: 2, arbitrary: hostileString },
      );
      const articleFields = {
        title: text('A title'),
        description: text('A description'),
        body: text('A body'),
        tagList: fc.array(text('fuzz'), { maxLength: 3 }),
      };
      const write = fc.oneof(
        fc
          .record({
            user: fc.record({
              username: freshName,
              email: freshEmail,
              password: text('password123'),
            }),
          })
          .map((payload) => ['POST /users', payload] as const),
        fc
          .record({
            user: some({
              username: freshName,
              email: freshEmail,
              password: text('password123'),
              bio: text('a bio'),
              image: text('https://example.com/a.png'),
            }),
          })
          .map((payload) => ['PUT /user', payload] as const),
        fc
          .record({
            article: fc.record(articleFields, { requiredKeys: ['title', 'description', 'body'] }),
          })
          .map((payload) => ['POST /articles', payload] as const),
        fc
          .record({ article: some(articleFields) })
          .map((payload) => ['PUT /articles/:slug', payload] as const),
        fc
          .record({ comment: fc.record({ body: text('A comment') }) })
          .map((payload) => ['POST /articles/:slug/comments', payload] as const),
      );
      const readUser = async () => ({
        ...(
          await t.app.inject({ method: 'GET', url: `${V1}/user`, headers: mutable.headers })
        ).json<{ user: object }>().user,
        token: undefined,
      });
      const readArticle = async () =>
        (
          await t.app.inject({ method: 'GET', url: `${V1}/articles/${article.slug}` })
        ).json<unknown>();
      await run(write, async ([endpoint, payload]) => {
        const comments = `${V1}/articles/${article.slug}/comments`;
        const targets: Readonly<Record<typeof endpoint, Target>> = {
          'POST /users': { method: 'POST', url: `${V1}/users` },
          'PUT /user': { method: 'PUT', url: `${V1}/user`, user: mutable, unchanged: readUser },
          'POST /articles': { method: 'POST', url: `${V1}/articles`, user: author },
          'PUT /articles/:slug': {
            method: 'PUT',
            url: `${V1}/articles/${article.slug}`,
            user: author,
            unchanged: readArticle,
          },
          'POST /articles/:slug/comments': { method: 'POST', url: comments, user: author },
        };
        const { method, url, user, unchanged } = targets[endpoint];
        const sent: InjectOptions = {
          method,
          url,
          payload,
          ...(user !== undefined && { headers: user.headers }),
        };
        const response = await exchange(sent, unchanged);
        const tooLarge = Buffer.byteLength(JSON.stringify(payload)) > 1024 * 1024;
        if (tooLarge) expect(response.statusCode, show(sent, response)).toBe(413);
        else if (storesNul(payload)) expect(response.statusCode, show(sent, response)).toBe(422);
        else expect([200, 201, 409, 422], show(sent, response)).toContain(response.statusCode);
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'limit and offset: a plain decimal integer in range is served, anything else is a 422',
    async () => {
      const value = fc.oneof(
        fc.constantFrom(...PAGE_VALUES),
        fc.integer({ min: -5, max: 10_005 }).map(String),
        fc.double().map(String),
        hostileText,
      );
      await run(
        fc.tuple(
          fc.constantFrom('/articles', '/articles/feed'),
          fc.constantFrom('limit', 'offset'),
          value,
        ),
        async ([path, key, text]) => {
          const sent = request('GET', `${V1}${path}?${key}=${encodeLoosely(text)}`, {
            auth: author.headers.authorization,
          });
          const response = await exchange(sent);
          const [min, max] = key === 'limit' ? [1, 100] : [0, 10_000];
          // Whole-number text ("-0" and "007" included) in range; an empty value is a mistake too.
          const served = /^-?\d+$/.test(text) && Number(text) >= min && Number(text) <= max;
          expect(response.statusCode, show(sent, response)).toBe(served ? 200 : 422);
        },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------------------------
// Specific behaviours
// ---------------------------------------------------------------------------------------------

describe('comment ids that are not plain integers', () => {
  /** Comment 1 exists only in a fresh database: rebuilt whenever a case deleted it. */
  let fresh: TestApp | undefined;
  let owner: RegisteredUser;
  let slug: string;

  async function withCommentOne(): Promise<TestApp> {
    if (fresh !== undefined) {
      const list = await fresh.app.inject({
        method: 'GET',
        url: `${V1}/articles/${slug}/comments`,
      });
      const ids = list.json<{ comments: { id: number }[] }>().comments.map((item) => item.id);
      if (ids.includes(1)) return fresh;
      await fresh.close();
    }
    fresh = await createTestApp();
    owner = await registerUser(fresh.app);
    slug = (await createArticle(fresh.app, owner)).slug;
    const created = await fresh.app.inject({
      method: 'POST',
      url: `${V1}/articles/${slug}/comments`,
      headers: owner.headers,
      payload: { comment: { body: 'comment one' } },
    });
    expect(created.json().comment.id).toBe(1);
    return fresh;
  }

  afterAll(async () => {
    await fresh?.close();
  });

  it.each(['1.9', 'true', '1.0', '1e0', '0x1', '+1', '1abc'])(
    'DELETE …/comments/%s does not delete comment 1',
    async (id) => {
      const app = await withCommentOne();
      const before = await rowCounts(app.db);
      const response = await app.app.inject({
        method: 'DELETE',
        url: `${V1}/articles/${slug}/comments/${id}`,
        headers: owner.headers,
      });
      expect([404, 422]).toContain(response.statusCode);
      expect(response.json()).toMatchObject({
        errors: expect.any(Object),
        error: { code: expect.any(String) },
      });
      expect(await rowCounts(app.db)).toEqual(before);
      const list = await app.app.inject({ method: 'GET', url: `${V1}/articles/${slug}/comments` });
      expect(list.json().comments.map((item: { id: number }) => item.id)).toContain(1);
    },
  );
});

describe('page parameters', () => {
  it.each(['limit=2.7', 'limit=true', 'offset=2.7', 'offset=true'])(
    'GET /articles?%s is a 422 on the parameter',
    async (search) => {
      const sent: InjectOptions = { method: 'GET', url: `${V1}/articles?${search}` };
      const response = await t.app.inject(sent);
      expect(response.statusCode, show(sent, response)).toBe(422);
      const key = search.split('=')[0] ?? '';
      expect(response.json()).toMatchObject({
        errors: { [key]: expect.any(Array) },
        error: { code: 'validation_failed' },
      });
    },
  );

  it.each(['tag', 'author', 'favorited'])(
    'GET /articles?%s=%00 is an empty list or a 422, never a 500',
    async (key) => {
      const sent: InjectOptions = { method: 'GET', url: `${V1}/articles?${key}=%00` };
      const response = await t.app.inject(sent);
      expectAnswered(sent, response);
      expect([200, 422], show(sent, response)).toContain(response.statusCode);
      if (response.statusCode === 200) {
        expect(response.json()).toEqual({ articles: [], articlesCount: 0 });
      }
    },
  );
});

describe('text containing NUL is a 422 and writes nothing', () => {
  const NUL = 'a\u0000b';

  interface Case {
    readonly name: string;
    readonly method: HTTPMethods;
    readonly url: () => string;
    readonly auth: () => string | undefined;
    readonly payload: () => object;
  }

  const fresh = () => `nul${String(Date.now())}${String(Math.random()).slice(2, 8)}`;
  const newUser = (changes: object) => {
    const username = fresh();
    return {
      user: { username, email: `${username}@example.com`, password: 'password123', ...changes },
    };
  };
  const newArticle = (changes: object) => ({
    article: { title: 'T', description: 'D', body: 'B', ...changes },
  });

  const cases: Case[] = [
    ...['username', 'email'].map((key): Case => ({
      name: `POST /users ${key}`,
      method: 'POST',
      url: () => `${V1}/users`,
      auth: () => undefined,
      payload: () => newUser({ [key]: key === 'email' ? `a\u0000b@example.com` : NUL }),
    })),
    ...['username', 'email', 'bio', 'image'].map((key): Case => ({
      name: `PUT /user ${key}`,
      method: 'PUT',
      url: () => `${V1}/user`,
      auth: () => mutable.headers.authorization,
      payload: () => ({
        user: {
          [key]:
            key === 'email'
              ? 'a\u0000b@example.com'
              : key === 'image'
                ? 'https://example.com/a\u0000.png'
                : NUL,
        },
      }),
    })),
    ...['title', 'description', 'body'].flatMap((key): Case[] => [
      {
        name: `POST /articles ${key}`,
        method: 'POST',
        url: () => `${V1}/articles`,
        auth: () => author.headers.authorization,
        payload: () => newArticle({ [key]: NUL }),
      },
      {
        name: `PUT /articles/:slug ${key}`,
        method: 'PUT',
        url: () => `${V1}/articles/${article.slug}`,
        auth: () => author.headers.authorization,
        payload: () => ({ article: { [key]: NUL } }),
      },
    ]),
    {
      name: 'POST /articles tagList',
      method: 'POST',
      url: () => `${V1}/articles`,
      auth: () => author.headers.authorization,
      payload: () => newArticle({ tagList: [NUL] }),
    },
    {
      name: 'PUT /articles/:slug tagList',
      method: 'PUT',
      url: () => `${V1}/articles/${article.slug}`,
      auth: () => author.headers.authorization,
      payload: () => ({ article: { tagList: ['\u0000'] } }),
    },
    {
      name: 'POST /articles/:slug/comments body',
      method: 'POST',
      url: () => `${V1}/articles/${article.slug}/comments`,
      auth: () => author.headers.authorization,
      payload: () => ({ comment: { body: NUL } }),
    },
  ];

  it.each(cases.map((item) => [item.name, item] as const))('%s', async (_name, item) => {
    const readBack = () =>
      Promise.all([
        t.app.inject({ method: 'GET', url: `${V1}/user`, headers: mutable.headers }),
        t.app.inject({ method: 'GET', url: `${V1}/articles/${article.slug}` }),
      ]).then(([user, read]) => [
        { ...user.json<{ user: object }>().user, token: undefined },
        read.json<unknown>(),
      ]);
    const auth = item.auth();
    const sent: InjectOptions = {
      method: item.method,
      url: item.url(),
      payload: item.payload(),
      ...(auth !== undefined && { headers: { authorization: auth } }),
    };
    const state = await readBack();
    const before = await rowCounts(t.db);
    const response = await t.app.inject(sent);
    expect(response.statusCode, show(sent, response)).toBe(422);
    expectAnswered(sent, response);
    expect(await rowCounts(t.db)).toEqual(before);
    expect(await readBack()).toEqual(state);
  });

  it('POST /users/login with NUL in the email is refused (422 or 401), never a 500', async () => {
    const sent: InjectOptions = {
      method: 'POST',
      url: `${V1}/users/login`,
      payload: { user: { email: `a\u0000${author.email}`, password: author.password } },
    };
    const response = await t.app.inject(sent);
    expectAnswered(sent, response);
    expect([401, 422], show(sent, response)).toContain(response.statusCode);
  });
});
