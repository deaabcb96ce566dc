import { randomUUID } from 'node:crypto';
import type { Request } from 'autocannon';
import { BENCH_PASSWORD } from '../seed/bench-password.js';
import {
  articleDescription,
  articleTitle,
  bodyLength,
  commentBody,
  createBodyWriter,
} from '../seed/corpus.js';
import { deriveRandom, type Random } from '../seed/random.js';
import type { BenchFixture } from './bench-fixture.js';
import { bareName, LIST_READS } from './list-reads.js';

/** A named load: the requests autocannon cycles through on each connection. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly requests: readonly Request[];
  /** Load run at the same time on its own connections; only this scenario's numbers are reported. */
  readonly alongside?: { readonly requests: readonly Request[]; readonly connections: number };
}

/** A request whose path, headers and body `setupRequest` draws. */
type DrawnRequest = Request & {
  readonly setupRequest: (request: Request, context: object) => Request;
};

/** The keyed create a connection sent first, which the rest of its loop sends again. */
interface ReplayContext {
  sent?: Request;
}

/** The tokens of the fixture's users and of its heavy readers, in fixture order. */
export interface Tokens {
  readonly users: readonly string[];
  readonly heavyReaders: readonly string[];
}

const API = '/api/v1';

/** The ceiling every hot read's budget is a share of: a bare route running `select 1`. */
export const SELECT_1_CEILING = 'ceiling: select 1';

/**
 * The names of the Keel scenarios, in the order `keelScenarios` builds them (its types allow no
 * other name, and a test checks it builds them all): `--only` is checked against them before
 * anything is seeded, when there is no fixture to build the scenarios from.
 */
export const KEEL_SCENARIOS = [
  ...LIST_READS,
  'article by slug',
  'profile',
  'tags',
  'comments',
  'create article',
  'create article, keyed',
  'create article, replayed',
  'favorite/unfavorite',
  'add comment',
  'add comment, keyed',
  'add comment, replayed',
  'login',
  'list during login burst',
] as const;

export type KeelScenarioName = (typeof KEEL_SCENARIOS)[number];

/** The state a favorite hands to its unfavorite on the same connection. */
interface FavoriteContext {
  slug?: string;
  token?: string;
}

function headersFor(token: string | undefined, json = false): Record<string, string> {
  return {
    ...(token !== undefined && { authorization: `Token ${token}` }),
    ...(json && { 'content-type': 'application/json' }),
  };
}

/** Mostly the first page, sometimes a later one or another page size, as people browse. */
function pageQuery(random: Random): string {
  let page = 0;
  while (page < 10 && random.chance(0.4)) page++;
  const limit = random.pick([20, 20, 20, 20, 10, 50]);
  return `limit=${String(limit)}&offset=${String(page * limit)}`;
}

/** A GET whose path (and viewer) is drawn afresh for every request. */
function get(path: () => string, token: () => string | undefined): Request {
  return {
    method: 'GET',
    setupRequest: (request) => ({ ...request, path: path(), headers: headersFor(token()) }),
  };
}

/**
 * A JSON POST, drawn afresh for every request; when `keyed`, with an `Idempotency-Key` no request
 * has used before.
 */
function write(
  path: () => string,
  token: () => string | undefined,
  body: () => unknown,
  keyed = false,
): DrawnRequest {
  return {
    method: 'POST',
    setupRequest: (request) => ({
      ...request,
      path: path(),
      headers: {
        ...headersFor(token(), true),
        ...(keyed && { 'idempotency-key': randomUUID() }),
      },
      body: JSON.stringify(body()),
    }),
  };
}

/** How many times a connection sends its keyed create again, in the `…, replayed` scenarios. */
const REPLAYS = 4;

/**
 * The Keel scenarios of issue #6, each drawing URLs, viewers and bodies from the fixture with
 * its own seeded stream. Reads are anonymous half the time, like a public site's traffic.
 */
export function keelScenarios(fixture: BenchFixture, tokens: Tokens, seed: number): Scenario[] {
  const scenario = (
    name: KeelScenarioName,
    description: string,
    build: (random: Random) => readonly Request[],
  ): Scenario => ({ name, description, requests: build(deriveRandom(seed, name)) });
  const anyToken = (random: Random): string => random.pick(tokens.users);
  const maybeToken = (random: Random): string | undefined =>
    random.chance(0.5) ? anyToken(random) : undefined;
  const anonymous = (): undefined => undefined;
  const login = (random: Random): Request =>
    write(
      () => `${API}/users/login`,
      anonymous,
      () => ({ user: { email: random.pick(fixture.users).email, password: BENCH_PASSWORD } }),
    );
  const publish = (random: Random, keyed: boolean): DrawnRequest => {
    const writeBody = createBodyWriter(random);
    return write(
      () => `${API}/articles`,
      () => anyToken(random),
      () => ({
        article: {
          title: articleTitle(random),
          description: articleDescription(random),
          body: writeBody(bodyLength(random)),
          tagList: Array.from({ length: 1 + random.int(3) }, () => random.pick(fixture.tags)),
        },
      }),
      keyed,
    );
  };
  const comment = (random: Random, keyed: boolean): DrawnRequest =>
    write(
      () => `${API}/articles/${random.pick(fixture.slugs)}/comments`,
      () => anyToken(random),
      () => ({ comment: { body: commentBody(random) } }),
      keyed,
    );

  /**
   * A create; the same create with an `Idempotency-Key`, a new one each time; and the keyed create
   * sent again `REPLAYS` times on its connection, as a client retrying after a timeout would.
   */
  const plainKeyedAndReplayed = (
    name: 'create article' | 'add comment',
    description: string,
    draw: (random: Random, keyed: boolean) => DrawnRequest,
  ): Scenario[] => [
    scenario(name, description, (random) => [draw(random, false)]),
    scenario(`${name}, keyed`, `${name} with an Idempotency-Key, a new one each time`, (random) => [
      draw(random, true),
    ]),
    scenario(
      `${name}, replayed`,
      `${name}, keyed, then the same request ${String(REPLAYS)} times more, as a client retrying would`,
      (random) => {
        const first = draw(random, true);
        return [
          {
            method: 'POST',
            setupRequest: (request, context) => {
              const sent = first.setupRequest(request, context);
              (context as ReplayContext).sent = sent;
              return sent;
            },
          },
          ...Array.from({ length: REPLAYS }, (): Request => ({
            method: 'POST',
            // The loop's first request set it; without it the bare request (no path, token or
            // body) would be refused and fail the scenario.
            setupRequest: (request, context) => (context as ReplayContext).sent ?? request,
          })),
        ];
      },
    ),
  ];

  /**
   * Each (token, popular slug) whose user has not favorited the article: favoriting it inserts a
   * row and unfavoriting it deletes that row, leaving the seeded data as it was. All the pairs
   * when every one is taken, so the scenario still runs on a tiny fixture.
   */
  const favorited = new Set(fixture.favoritedPopular.map(({ email, slug }) => `${email}\n${slug}`));
  const allPairs = fixture.users.flatMap(({ email }, index) =>
    fixture.popularSlugs.map((slug) => ({
      email,
      pair: [tokens.users[index] ?? '', slug] as const,
    })),
  );
  const freePairs = allPairs.filter(({ email, pair }) => !favorited.has(`${email}\n${pair[1]}`));
  const unfavoritedPairs = (freePairs.length > 0 ? freePairs : allPairs).map(({ pair }) => pair);

  return [
    scenario('list anonymous', 'GET /articles, newest first, various pages', (random) => [
      get(() => `${API}/articles?${pageQuery(random)}`, anonymous),
    ]),
    scenario(
      'list authenticated',
      'GET /articles with a token (favorited/following flags)',
      (random) => [
        get(
          () => `${API}/articles?${pageQuery(random)}`,
          () => anyToken(random),
        ),
      ],
    ),
    scenario('feed', 'GET /articles/feed of the readers who follow the most authors', (random) => [
      get(
        () => `${API}/articles/feed?${pageQuery(random)}`,
        () => random.pick(tokens.heavyReaders),
      ),
    ]),
    scenario('by tag', 'GET /articles?tag= over the whole tag pool', (random) => [
      get(
        () =>
          `${API}/articles?tag=${encodeURIComponent(random.pick(fixture.tags))}&${pageQuery(random)}`,
        () => maybeToken(random),
      ),
    ]),
    scenario('by author', 'GET /articles?author= over sampled authors', (random) => [
      get(
        () =>
          `${API}/articles?author=${encodeURIComponent(random.pick(fixture.authors))}&${pageQuery(random)}`,
        () => maybeToken(random),
      ),
    ]),
    scenario('favorited by', 'GET /articles?favorited= over sampled users', (random) => [
      get(
        () =>
          `${API}/articles?favorited=${encodeURIComponent(random.pick(fixture.favoriters))}&${pageQuery(random)}`,
        () => maybeToken(random),
      ),
    ]),
    scenario('article by slug', 'GET /articles/:slug over sampled articles', (random) => [
      get(
        () => `${API}/articles/${random.pick(fixture.slugs)}`,
        () => maybeToken(random),
      ),
    ]),
    scenario('profile', 'GET /profiles/:username over sampled users', (random) => [
      get(
        () => `${API}/profiles/${encodeURIComponent(random.pick(fixture.users).username)}`,
        () => maybeToken(random),
      ),
    ]),
    scenario('tags', 'GET /tags', () => [get(() => `${API}/tags`, anonymous)]),
    scenario(
      'comments',
      'GET /articles/:slug/comments of the most commented articles',
      (random) => [
        get(
          () => `${API}/articles/${random.pick(fixture.commentedSlugs)}/comments`,
          () => maybeToken(random),
        ),
      ],
    ),
    ...plainKeyedAndReplayed(
      'create article',
      'POST /articles with 1–3 tags and a realistic body',
      publish,
    ),
    scenario(
      'favorite/unfavorite',
      'POST then DELETE /articles/:slug/favorite, popular articles the user has not favorited',
      (random) => [
        {
          method: 'POST',
          setupRequest: (request, context) => {
            const state = context as FavoriteContext;
            [state.token, state.slug] = random.pick(unfavoritedPairs);
            return {
              ...request,
              path: `${API}/articles/${state.slug}/favorite`,
              headers: headersFor(state.token),
            };
          },
        },
        {
          method: 'DELETE',
          setupRequest: (request, context) => {
            const { slug, token } = context as FavoriteContext;
            return {
              ...request,
              path: `${API}/articles/${String(slug)}/favorite`,
              headers: headersFor(token),
            };
          },
        },
      ],
    ),
    ...plainKeyedAndReplayed(
      'add comment',
      'POST /articles/:slug/comments on sampled articles',
      comment,
    ),
    scenario('login', 'POST /users/login (Argon2id verify)', (random) => [login(random)]),
    {
      // Argon2id runs on libuv's pool: a burst of logins must not stall the event loop for reads.
      ...scenario(
        'list during login burst',
        'GET /articles while 4 connections log in nonstop',
        (random) => [get(() => `${API}/articles?${pageQuery(random)}`, anonymous)],
      ),
      alongside: {
        requests: [login(deriveRandom(seed, 'login burst'))],
        connections: 4,
      },
    },
  ];
}

/** The ceilings: the same harness against the bare Fastify server of bench/ceilings. */
export function ceilingScenarios(): Scenario[] {
  return [
    {
      name: 'ceiling: constant',
      description: 'bare Fastify route returning a constant',
      requests: [{ method: 'GET', path: '/constant' }],
    },
    {
      name: SELECT_1_CEILING,
      description: 'bare Fastify route running select 1 through a pg pool of the same size',
      requests: [{ method: 'GET', path: '/select-one' }],
    },
    {
      name: 'ceiling: select 1 + page',
      description: 'the select-1 route answering a constant page of 20 article cards (about 12 KB)',
      requests: [{ method: 'GET', path: '/select-one-page' }],
    },
  ];
}

/**
 * Each list read of `keel` (built afresh, so its streams start over) against the ceiling
 * server's bare routes: the requests drawn from the same seeded streams, with the same tokens,
 * under `/bare` instead of the API's prefix.
 */
export function bareScenarios(keel: readonly Scenario[]): Scenario[] {
  return keel
    .filter((scenario) => (LIST_READS as readonly string[]).includes(scenario.name))
    .map((scenario) => ({
      name: bareName(scenario.name),
      description: `${scenario.name}: its statements on bare Fastify and pg, the same requests`,
      requests: scenario.requests.map((request) => {
        const setup = request.setupRequest;
        // Keel's reads all draw their path in setupRequest (`get` above).
        if (typeof setup !== 'function') throw new Error(`${scenario.name} has a fixed path`);
        return {
          ...request,
          setupRequest: (drawn: Request, context: object) => {
            const keels = setup(drawn, context);
            return { ...keels, path: keels.path?.replace(API, '/bare') };
          },
        };
      }),
    }));
}
