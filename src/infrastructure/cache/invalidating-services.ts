import type { ArticleService } from '../../domain/articles/article-service.js';
import type { AccountService, AccountUpdateInput } from '../../domain/identity/account-service.js';
import type { Administration } from '../../domain/identity/administration.js';
import { afterCommit } from '../db/unit-of-work.js';
import type { InvalidationBus } from './invalidation-bus.js';
import type { Invalidation } from './read-caches.js';

/**
 * The one table of spec.md §5 ("What invalidates what"): each command, once it has resolved,
 * invalidates the cached views it changed. Inside a unit of work (an idempotency-keyed request)
 * that waits for the commit: dropped earlier, a concurrent read could cache the old value again.
 * A command that throws has changed nothing cached (a write that committed before a failing
 * read-back only fails that way when a concurrent delete, which invalidates, removed the article).
 */
function after(bus: InvalidationBus, invalidation: Invalidation): Promise<void> {
  return afterCommit(() => bus.publish(invalidation));
}

/** `service` with the cached article views and tag list invalidated by its commands. */
export function invalidatingArticleService(
  service: ArticleService,
  bus: InvalidationBus,
): ArticleService {
  return {
    async publish(authorId, input) {
      const article = await service.publish(authorId, input);
      // Its slug may be one a delete freed: an instance that missed that delete's invalidation
      // still keeps the old article under it.
      await after(bus, { articles: [article.slug], tags: true });
      return article;
    },
    async edit(editorId, slug, input) {
      const article = await service.edit(editorId, slug, input);
      await after(bus, {
        articles: [article.slug],
        ...(input.tagList !== undefined && { tags: true }),
      });
      return article;
    },
    async remove(editorId, slug) {
      await service.remove(editorId, slug);
      // It was found by this exact slug, so it is the canonical one.
      await after(bus, { articles: [slug], tags: true });
    },
    async removeAsModerator(moderatorId, slug, reason) {
      await service.removeAsModerator(moderatorId, slug, reason);
      await after(bus, { articles: [slug], tags: true });
    },
    async favorite(userId, slug) {
      const article = await service.favorite(userId, slug);
      await after(bus, { articles: [article.slug] });
      return article;
    },
    async unfavorite(userId, slug) {
      const article = await service.unfavorite(userId, slug);
      await after(bus, { articles: [article.slug] });
      return article;
    },
  };
}

/** Email and password are in no cached view. */
function changesProfile(input: AccountUpdateInput): boolean {
  return input.username !== undefined || input.bio !== undefined || input.image !== undefined;
}

/**
 * `service` with the cached profile (under its old and new username) and every cached article
 * (each embeds its author's profile) invalidated by an account update, and the account's cached
 * token standing by a revocation (a new password, log out everywhere).
 */
export function invalidatingAccountService(
  service: AccountService,
  bus: InvalidationBus,
): AccountService {
  return {
    ...service,
    async update(caller, input) {
      // Only a rename needs the old name, read just before. A rename racing another rename of
      // the same account may name an outdated one: that entry expires within the cache's TTL.
      const before =
        input.username === undefined ? undefined : (await service.current(caller)).username;
      const user = await service.update(caller, input);
      const profile = changesProfile(input);
      // A new password revoked the account's other tokens.
      const revokes = input.password !== undefined;
      if (profile || revokes) {
        const names = before === undefined ? [user.username] : [before, user.username];
        await after(bus, {
          ...(profile && { profiles: [...new Set(names)], articles: 'all' }),
          ...(revokes && { accounts: [String(caller.userId)] }),
        });
      }
      return user;
    },
    async logOutEverywhere(caller) {
      await service.logOutEverywhere(caller);
      await after(bus, { accounts: [String(caller.userId)] });
    },
  };
}

/**
 * `administration` with every cached token standing dropped by a role or status change (each
 * revokes the account's tokens): it names the account by username, and the standings are kept by
 * id.
 */
export function invalidatingAdministration(
  administration: Administration,
  bus: InvalidationBus,
): Administration {
  return {
    ...administration,
    async changeRole(by, username, input) {
      const account = await administration.changeRole(by, username, input);
      await after(bus, { accounts: 'all' });
      return account;
    },
    async changeStatus(by, username, input) {
      const account = await administration.changeStatus(by, username, input);
      await after(bus, { accounts: 'all' });
      return account;
    },
  };
}
