import type { AuditTrail } from '../shared/audit.js';
import type { ArticleField, EventRecorder } from '../shared/events.js';
import { ForbiddenError, NotFoundError, parseFields } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import { parseReason } from '../shared/reason.js';
import type { Transaction } from '../shared/transaction.js';
import {
  parseArticleContent,
  parseBody,
  parseDescription,
  parseTags,
  parseTitle,
  type ArticleContent,
  type ArticleRef,
  type ArticleView,
} from './article.js';
import type { ArticleQueries, ArticleRepository, LockIntent } from './ports.js';
import { slugFromPath, slugify, withSuffix, type Slug } from '../shared/slug.js';

export interface NewArticleInput extends ArticleContent {
  readonly tagList?: readonly string[];
}

export interface ArticleChangesInput {
  readonly title?: string;
  readonly description?: string;
  readonly body?: string;
  readonly tagList?: readonly string[];
}

export interface ArticleServiceDeps {
  readonly transaction: Transaction<ArticleRepository>;
  /** Joins the transaction: each change's event commits with it. */
  readonly events: EventRecorder;
  /** Joins the transaction too: a moderator's removal is audited with it. */
  readonly audit: AuditTrail;
  readonly queries: ArticleQueries;
  /** A short random string that makes a taken slug unique. */
  readonly slugSuffix: () => string;
}

// With 8 random characters (about 41 bits) a second collision is vanishingly rare; the bound
// only turns a broken random source into an error instead of a loop.
const SLUG_ATTEMPTS = 5;

/** The fields an edit names, parsed; each that fails named (`parseFields`). */
function parseChanges(input: ArticleChangesInput): {
  readonly changes: Partial<ArticleContent>;
  readonly tags: readonly string[] | undefined;
} {
  const { title, description, body, tagList } = input;
  return parseFields((field) => ({
    changes: {
      ...(title !== undefined && { title: field(() => parseTitle(title)) }),
      ...(description !== undefined && {
        description: field(() => parseDescription(description)),
      }),
      ...(body !== undefined && { body: field(() => parseBody(body)) }),
    },
    tags: tagList === undefined ? undefined : field(() => parseTags(tagList)),
  }));
}

/** Article commands; each runs in one transaction and answers with the article as its author sees it. */
export interface ArticleService {
  publish(authorId: UserId, input: NewArticleInput): Promise<ArticleView>;
  /** Author only; the slug never changes. `tagList` replaces the tags when given. */
  edit(editorId: UserId, slug: string, input: ArticleChangesInput): Promise<ArticleView>;
  /** Author only; takes the article's comments, favorites and tag links with it. */
  remove(editorId: UserId, slug: string): Promise<void>;
  /**
   * Removes anyone's article as `remove` does, for a moderator (the route checks the capability),
   * with a reason: audited, and its author told through `moderation.article_removed`.
   */
  removeAsModerator(moderatorId: UserId, slug: string, reason: string): Promise<void>;
  favorite(userId: UserId, slug: string): Promise<ArticleView>;
  unfavorite(userId: UserId, slug: string): Promise<ArticleView>;
}

/** The fields an edit changes, as its event names them. */
function changedFields(
  changes: Partial<ArticleContent>,
  tags: readonly string[] | undefined,
): ArticleField[] {
  const fields: ArticleField[] = (['title', 'description', 'body'] as const).filter(
    (field) => changes[field] !== undefined,
  );
  return tags === undefined ? fields : [...fields, 'tagList'];
}

export function createArticleService({
  transaction,
  events,
  audit,
  queries,
  slugSuffix,
}: ArticleServiceDeps): ArticleService {
  /** Deletes `found` with everything hanging off it, and records that. */
  async function deleteArticle(articles: ArticleRepository, found: ArticleRef): Promise<void> {
    await articles.remove(found);
    await events.record({
      type: 'article.deleted',
      version: 1,
      aggregate: { type: 'article', id: found.id },
      payload: { articleId: found.id, slug: found.slug, authorId: found.authorId },
    });
  }

  async function view(slug: Slug, viewer: UserId): Promise<ArticleView> {
    const article = await queries.findBySlug(slug, viewer);
    // Only a concurrent delete between our commit and this read can get here.
    if (article === undefined) throw new NotFoundError('article');
    return article;
  }

  async function existing(
    repository: ArticleRepository,
    slug: string,
    intent: LockIntent,
  ): Promise<ArticleRef> {
    const parsed = slugFromPath(slug);
    const article = parsed === undefined ? undefined : await repository.lockBySlug(parsed, intent);
    if (article === undefined) throw new NotFoundError('article');
    return article;
  }

  async function owned(
    repository: ArticleRepository,
    slug: string,
    userId: UserId,
    intent: LockIntent,
  ): Promise<ArticleRef> {
    const article = await existing(repository, slug, intent);
    if (article.authorId !== userId) throw new ForbiddenError('article');
    return article;
  }

  /** Favorites (`on`) or unfavorites the article; an event only when that changed something. */
  async function setFavorite(userId: UserId, slug: string, on: boolean): Promise<ArticleView> {
    const article = await transaction(async (articles) => {
      const found = await existing(articles, slug, 'change');
      const changed = on
        ? await articles.addFavorite(found.id, userId)
        : await articles.removeFavorite(found.id, userId);
      if (changed) {
        await events.record({
          type: on ? 'article.favorited' : 'article.unfavorited',
          version: 1,
          aggregate: { type: 'article', id: found.id },
          payload: { articleId: found.id, userId },
        });
      }
      return found;
    });
    return view(article.slug, userId);
  }

  return {
    async publish(authorId: UserId, input: NewArticleInput): Promise<ArticleView> {
      const { content, tags } = parseFields((field) => ({
        content: field(() => parseArticleContent(input)),
        tags: field(() => parseTags(input.tagList ?? [])),
      }));
      const base = slugify(content.title);
      const slug = await transaction(async (articles) => {
        for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt++) {
          const candidate = attempt === 0 ? base : withSuffix(base, slugSuffix());
          const id = await articles.insert({ ...content, authorId, slug: candidate });
          if (id !== undefined) {
            await articles.setTags(id, tags);
            await events.record({
              type: 'article.published',
              version: 1,
              aggregate: { type: 'article', id },
              payload: {
                articleId: id,
                slug: candidate,
                authorId,
                title: content.title,
                tagList: tags,
              },
            });
            return candidate;
          }
        }
        throw new Error(`no free slug for "${base}" after ${String(SLUG_ATTEMPTS)} attempts`);
      });
      return view(slug, authorId);
    },

    async edit(editorId: UserId, slug: string, input: ArticleChangesInput): Promise<ArticleView> {
      const { changes, tags } = parseChanges(input);
      const article = await transaction(async (articles) => {
        const found = await owned(articles, slug, editorId, 'change');
        await articles.update(found.id, changes);
        if (tags !== undefined) await articles.setTags(found.id, tags);
        await events.record({
          type: 'article.updated',
          version: 1,
          aggregate: { type: 'article', id: found.id },
          payload: { articleId: found.id, slug: found.slug, changed: changedFields(changes, tags) },
        });
        return found;
      });
      return view(article.slug, editorId);
    },

    async remove(editorId: UserId, slug: string): Promise<void> {
      await transaction(async (articles) => {
        await deleteArticle(articles, await owned(articles, slug, editorId, 'delete'));
      });
    },

    async removeAsModerator(moderatorId: UserId, slug: string, reason: string): Promise<void> {
      const why = parseReason(reason);
      await transaction(async (articles) => {
        const found = await existing(articles, slug, 'delete');
        await deleteArticle(articles, found);
        await events.record({
          type: 'moderation.article_removed',
          version: 1,
          aggregate: { type: 'article', id: found.id },
          payload: {
            articleId: found.id,
            slug: found.slug,
            authorId: found.authorId,
            moderatorId,
            reason: why,
          },
        });
        await audit.append({
          action: 'moderation.article_removed',
          actor: moderatorId,
          subject: found.authorId,
          reason: why,
        });
      });
    },

    favorite: (userId: UserId, slug: string) => setFavorite(userId, slug, true),

    unfavorite: (userId: UserId, slug: string) => setFavorite(userId, slug, false),
  };
}
