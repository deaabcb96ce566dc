import { NotFoundError } from '../shared/errors.js';
import type { Viewer } from '../shared/ids.js';
import type { Page } from '../shared/pagination.js';
import { isStorableText } from '../shared/text.js';
import { usernameFromPath } from '../shared/username.js';
import type { ArticleList, ArticleView } from './article.js';
import type { ArticleFilter, ArticleQueries } from './ports.js';
import { slugFromPath } from '../shared/slug.js';

export interface ArticleListInput {
  readonly tag?: string;
  readonly author?: string;
  readonly favorited?: string;
}

const EMPTY_LIST: ArticleList = { articles: [], articlesCount: 0 };

/**
 * Read use cases that turn request input into a query, or into "nothing there" without asking.
 * (The feed and the tag list need no such turn: routes call those queries directly.)
 */
export interface ArticleReader {
  get(slug: string, viewer: Viewer): Promise<ArticleView>;
  list(input: ArticleListInput, page: Page, viewer: Viewer): Promise<ArticleList>;
}

/**
 * The filter a list request names, or `undefined` when it names a user or tag that cannot exist
 * (such a list is empty without asking). A tag is named in NFC, as tags are stored (`parseTags`):
 * a decomposed "café" lists the articles tagged "café".
 */
export function listFilterOf(input: ArticleListInput): ArticleFilter | undefined {
  const author = input.author === undefined ? undefined : usernameFromPath(input.author);
  const favoritedBy = input.favorited === undefined ? undefined : usernameFromPath(input.favorited);
  if (
    (input.tag !== undefined && !isStorableText(input.tag)) ||
    (input.author !== undefined && author === undefined) ||
    (input.favorited !== undefined && favoritedBy === undefined)
  ) {
    return undefined;
  }
  return {
    ...(input.tag !== undefined && { tag: input.tag.normalize('NFC') }),
    ...(author !== undefined && { author }),
    ...(favoritedBy !== undefined && { favoritedBy }),
  };
}

export function createArticleReader(queries: ArticleQueries): ArticleReader {
  return {
    async get(slug: string, viewer: Viewer): Promise<ArticleView> {
      const parsed = slugFromPath(slug);
      const article = parsed === undefined ? undefined : await queries.findBySlug(parsed, viewer);
      if (article === undefined) throw new NotFoundError('article');
      return article;
    },

    list(input: ArticleListInput, page: Page, viewer: Viewer): Promise<ArticleList> {
      const filter = listFilterOf(input);
      // A filter naming a user or tag that cannot exist matches nothing: no need to ask.
      if (filter === undefined) return Promise.resolve(EMPTY_LIST);
      return queries.list(filter, page, viewer);
    },
  };
}
