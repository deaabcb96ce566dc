import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { registerUser, type RegisteredUser } from './factories.js';

/**
 * One write of the API. `by`, `of` and `on` pick a user, an article or a comment among those that
 * exist when the command runs (modulo their number), so any sequence means something and stays
 * valid while fast-check shrinks it; a command with nothing to act on is skipped.
 */
export type WriteCommand =
  | { readonly kind: 'register' }
  | { readonly kind: 'profile'; readonly by: number }
  | { readonly kind: 'publish'; readonly by: number; readonly tags: readonly string[] }
  | { readonly kind: 'edit'; readonly on: number; readonly tags: readonly string[] | undefined }
  | { readonly kind: 'delete'; readonly on: number }
  | { readonly kind: 'favorite' | 'unfavorite'; readonly by: number; readonly on: number }
  | { readonly kind: 'follow' | 'unfollow'; readonly by: number; readonly of: number }
  | { readonly kind: 'comment'; readonly by: number; readonly on: number }
  | { readonly kind: 'uncomment'; readonly on: number };

/** A small pool, so articles share tags and a tag's count goes up and down. */
const TAGS = ['alpha', 'beta', 'gamma', 'delta'];

// Few choices, so commands meet on the same user and article.
const pick = fc.nat(3);
const tags = fc.subarray(TAGS);

/**
 * Weighted toward the writes that move the projection together (publish, favorite, follow, then
 * delete): a delete of a favorited article by a followed author needs all of them in order.
 */
export const writeCommand: fc.Arbitrary<WriteCommand> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'register' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('profile' as const), by: pick }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('publish' as const), by: pick, tags }) },
  {
    weight: 2,
    // `undefined`: an edit of the title alone, which keeps the tags.
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      on: pick,
      tags: fc.option(tags, { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), on: pick }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom('favorite' as const, 'unfavorite' as const),
      by: pick,
      on: pick,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('follow' as const, 'unfollow' as const),
      by: pick,
      of: pick,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('comment' as const), by: pick, on: pick }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('uncomment' as const), on: pick }) },
);

interface Article {
  readonly slug: string;
  readonly author: RegisteredUser;
}

interface Comment {
  readonly slug: string;
  readonly id: number;
  readonly author: RegisteredUser;
}

/** What the commands so far created and did not delete: what the next one may act on. */
export interface World {
  readonly users: RegisteredUser[];
  readonly articles: Article[];
  readonly comments: Comment[];
}

export function emptyWorld(): World {
  return { users: [], articles: [], comments: [] };
}

function chosen<T>(items: readonly T[], index: number): T | undefined {
  return items[index % Math.max(items.length, 1)];
}

/** Removes `item` from `items` in place. */
function remove<T>(items: T[], item: T): void {
  items.splice(items.indexOf(item), 1);
}

/** A command resolved in a world: the request it sends, and how its answer changes the world. */
interface Resolved {
  readonly request: InjectOptions;
  readonly settle?: (answer: LightMyRequestResponse) => void;
}

/** What `step` does in `world`, or `undefined` when it has nothing to act on. */
function resolve(step: WriteCommand, world: World): Resolved | undefined {
  switch (step.kind) {
    case 'register':
      return undefined;
    case 'profile': {
      const user = chosen(world.users, step.by);
      return (
        user && {
          request: {
            method: 'PUT',
            url: '/api/v1/user',
            headers: user.headers,
            payload: {
              user: { bio: `bio ${String(step.by)}`, image: 'https://example.com/a.png' },
            },
          },
        }
      );
    }
    case 'publish': {
      const author = chosen(world.users, step.by);
      return (
        author && {
          request: {
            method: 'POST',
            url: '/api/v1/articles',
            headers: author.headers,
            payload: {
              article: { title: 'Projected', description: 'd', body: 'b', tagList: step.tags },
            },
          },
          settle: (answer) => {
            const { slug } = answer.json<{ article: { slug: string } }>().article;
            world.articles.push({ slug, author });
          },
        }
      );
    }
    case 'edit': {
      const article = chosen(world.articles, step.on);
      return (
        article && {
          request: {
            method: 'PUT',
            url: `/api/v1/articles/${article.slug}`,
            headers: article.author.headers,
            payload: { article: { title: 'Edited', ...(step.tags && { tagList: step.tags }) } },
          },
        }
      );
    }
    case 'delete': {
      const article = chosen(world.articles, step.on);
      return (
        article && {
          request: {
            method: 'DELETE',
            url: `/api/v1/articles/${article.slug}`,
            headers: article.author.headers,
          },
          settle: () => {
            remove(world.articles, article);
            // Its comments went with it.
            for (const comment of world.comments.filter((c) => c.slug === article.slug)) {
              remove(world.comments, comment);
            }
          },
        }
      );
    }
    case 'favorite':
    case 'unfavorite': {
      const [user, article] = [chosen(world.users, step.by), chosen(world.articles, step.on)];
      return (
        user &&
        article && {
          request: {
            method: step.kind === 'favorite' ? 'POST' : 'DELETE',
            url: `/api/v1/articles/${article.slug}/favorite`,
            headers: user.headers,
          },
        }
      );
    }
    case 'follow':
    case 'unfollow': {
      const user = chosen(world.users, step.by);
      // Following yourself is refused (422): someone else is chosen, nobody when alone.
      const followee = chosen(
        world.users.filter((other) => other !== user),
        step.of,
      );
      return (
        user &&
        followee && {
          request: {
            method: step.kind === 'follow' ? 'POST' : 'DELETE',
            url: `/api/v1/profiles/${followee.username}/follow`,
            headers: user.headers,
          },
        }
      );
    }
    case 'comment': {
      const [author, article] = [chosen(world.users, step.by), chosen(world.articles, step.on)];
      return (
        author &&
        article && {
          request: {
            method: 'POST',
            url: `/api/v1/articles/${article.slug}/comments`,
            headers: author.headers,
            payload: { comment: { body: 'A comment' } },
          },
          settle: (answer) => {
            const { id } = answer.json<{ comment: { id: number } }>().comment;
            world.comments.push({ slug: article.slug, id, author });
          },
        }
      );
    }
    case 'uncomment': {
      const comment = chosen(world.comments, step.on);
      return (
        comment && {
          request: {
            method: 'DELETE',
            url: `/api/v1/articles/${comment.slug}/comments/${String(comment.id)}`,
            headers: comment.author.headers,
          },
          settle: () => {
            remove(world.comments, comment);
          },
        }
      );
    }
  }
}

/** Applies `step` through the HTTP API, expects it to succeed, and records what it changed. */
export async function runCommand(
  app: FastifyInstance,
  world: World,
  step: WriteCommand,
): Promise<void> {
  if (step.kind === 'register') {
    world.users.push(await registerUser(app));
    return;
  }
  const resolved = resolve(step, world);
  if (resolved === undefined) return;
  const answer = await app.inject(resolved.request);
  expect(answer.statusCode, `${JSON.stringify(step)} answered ${answer.body}`).toBeLessThan(300);
  resolved.settle?.(answer);
}
