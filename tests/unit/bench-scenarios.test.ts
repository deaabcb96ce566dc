import type { Request } from 'autocannon';
import { describe, expect, it } from 'vitest';
import type { BenchFixture } from '../../bench/load/bench-fixture.js';
import { LIST_READS } from '../../bench/load/list-reads.js';
import { bareScenarios, KEEL_SCENARIOS, keelScenarios } from '../../bench/load/scenarios.js';

const fixture: BenchFixture = {
  users: [
    { username: 'ada', email: 'ada@example.com' },
    { username: 'grace', email: 'grace@example.com' },
  ],
  heavyReaders: [{ email: 'ada@example.com', follows: 2 }],
  authors: ['ada', 'grace'],
  favoriters: ['grace'],
  slugs: ['first-1', 'second-2'],
  popularSlugs: ['first-1'],
  favoritedPopular: [],
  commentedSlugs: ['second-2'],
  tags: ['node', 'sql', 'c++'],
};
const tokens = { users: ['token-ada', 'token-grace'], heavyReaders: ['token-heavy'] };

/** The first `count` requests a scenario's single request draws. */
function draw(requests: readonly Request[], count: number): Request[] {
  const [request] = requests;
  const setup = request?.setupRequest;
  if (typeof setup !== 'function') throw new Error('expected a drawn request');
  return Array.from({ length: count }, () => setup({ method: 'GET' }, {}));
}

describe("the bench's Keel scenarios", () => {
  it('are the ones named in KEEL_SCENARIOS, which --only is checked against, in its order', () => {
    expect(keelScenarios(fixture, tokens, 7).map((scenario) => scenario.name)).toEqual(
      KEEL_SCENARIOS,
    );
  });
});

describe("the bench's bare scenarios", () => {
  it("send each list read's requests, in order, under /bare instead of /api/v1", () => {
    const keel = keelScenarios(fixture, tokens, 7);
    const bare = bareScenarios(keelScenarios(fixture, tokens, 7));
    expect(bare.map((scenario) => scenario.name)).toEqual(
      LIST_READS.map((read) => `bare: ${read}`),
    );
    for (const read of LIST_READS) {
      const keels = draw(keel.find((scenario) => scenario.name === read)?.requests ?? [], 50);
      const bares = draw(
        bare.find((scenario) => scenario.name === `bare: ${read}`)?.requests ?? [],
        50,
      );
      expect(bares.map((request) => request.headers)).toEqual(
        keels.map((request) => request.headers),
      );
      expect(bares.map((request) => request.path)).toEqual(
        keels.map((request) => request.path?.replace(/^\/api\/v1\//, '/bare/')),
      );
      expect(bares.every((request) => request.path?.startsWith('/bare/articles'))).toBe(true);
    }
  });

  it('leave out the reads that have no bare statements, and follow the reads chosen', () => {
    const chosen = keelScenarios(fixture, tokens, 7).filter((scenario) =>
      ['feed', 'tags', 'login'].includes(scenario.name),
    );
    expect(bareScenarios(chosen).map((scenario) => scenario.name)).toEqual(['bare: feed']);
  });
});

/**
 * The first 100 requests of `name, keyed`, after checking that they are POSTs each with a valid
 * `Idempotency-Key` no other request used, and that `name`'s own requests carry none.
 */
function keyedDraws(name: string): Request[] {
  const scenarios = keelScenarios(fixture, tokens, 7);
  const requestsOf = (wanted: string): readonly Request[] =>
    scenarios.find((scenario) => scenario.name === wanted)?.requests ?? [];
  expect(requestsOf(`${name}, keyed`).map((request) => request.method)).toEqual(['POST']);
  const [plain, keyed] = [draw(requestsOf(name), 100), draw(requestsOf(`${name}, keyed`), 100)];
  expect(plain.every((request) => request.headers?.['idempotency-key'] === undefined)).toBe(true);
  const keys = keyed.map((request) => request.headers?.['idempotency-key']);
  expect(keys.every((key) => typeof key === 'string' && /^[!-~]{1,255}$/.test(key))).toBe(true);
  expect(new Set(keys).size).toBe(keyed.length);
  return keyed;
}

describe("the bench's keyed publishes", () => {
  it('send publishes drawn as create article draws them, each with a key no other request used', () => {
    for (const request of keyedDraws('create article')) {
      expect(request.path).toBe('/api/v1/articles');
      const { article } = JSON.parse(String(request.body)) as {
        article: { title: string; body: string; tagList: string[] };
      };
      expect(article.title).not.toBe('');
      expect(article.body).not.toBe('');
      expect(article.tagList.length).toBeGreaterThanOrEqual(1);
      expect(article.tagList.every((tag) => fixture.tags.includes(tag))).toBe(true);
    }
  });
});

describe("the bench's keyed comments", () => {
  it('send comments drawn as add comment draws them, each with a key no other request used', () => {
    const commentsPath = /^\/api\/v1\/articles\/(first-1|second-2)\/comments$/;
    expect(
      keyedDraws('add comment').every((request) => commentsPath.test(request.path ?? '')),
    ).toBe(true);
  });
});

describe("the bench's replayed creates", () => {
  it.each([
    ['create article', /^\/api\/v1\/articles$/],
    ['add comment', /^\/api\/v1\/articles\/(first-1|second-2)\/comments$/],
  ])('send each keyed %s again four times on its connection, a new key each loop', (name, path) => {
    const replayed =
      keelScenarios(fixture, tokens, 7).find((scenario) => scenario.name === `${name}, replayed`)
        ?.requests ?? [];
    const setups = replayed.map((request) => request.setupRequest);
    if (!setups.every((setup) => typeof setup === 'function')) throw new Error('expected draws');
    // autocannon gives each loop over a connection's requests a fresh context.
    const loops = Array.from({ length: 3 }, () => {
      const context = {};
      return setups.map((setup) => setup({ method: 'POST' }, context));
    });
    for (const [first, ...again] of loops) {
      expect(first?.path).toMatch(path);
      expect(again).toHaveLength(4);
      expect(again.every((request) => request === first)).toBe(true);
    }
    const keys = loops.map(([first]) => first?.headers?.['idempotency-key']);
    expect(new Set(keys).size).toBe(3);
  });
});

describe("the bench's favorite/unfavorite", () => {
  it('favorites only what the user has not favorited, then unfavorites it as the same user', () => {
    const popular: BenchFixture = {
      ...fixture,
      popularSlugs: ['first-1', 'second-2'],
      favoritedPopular: [{ email: 'ada@example.com', slug: 'first-1' }],
    };
    const requests =
      keelScenarios(popular, tokens, 7).find((scenario) => scenario.name === 'favorite/unfavorite')
        ?.requests ?? [];
    const setups = requests.map((request) => request.setupRequest);
    if (!setups.every((setup) => typeof setup === 'function')) throw new Error('expected draws');
    const pairs = new Set<string>();
    for (let loop = 0; loop < 200; loop++) {
      const context = {};
      const [favorite, unfavorite] = setups.map((setup) => setup({ method: 'GET' }, context));
      expect(unfavorite?.path).toBe(favorite?.path);
      expect(unfavorite?.headers).toEqual(favorite?.headers);
      pairs.add(`${String(favorite?.headers?.authorization)} ${String(favorite?.path)}`);
    }
    // Ada's favorite of first-1 is seeded: favoriting it again inserts nothing, and the
    // unfavorite after it would delete a seeded row.
    expect([...pairs].sort()).toEqual([
      'Token token-ada /api/v1/articles/second-2/favorite',
      'Token token-grace /api/v1/articles/first-1/favorite',
      'Token token-grace /api/v1/articles/second-2/favorite',
    ]);
  });
});
