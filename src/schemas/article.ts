import { Type, type Static } from 'typebox';
import {
  BODY_MAX_LENGTH,
  DESCRIPTION_MAX_LENGTH,
  TAGS_MAX_COUNT,
  TAG_MAX_LENGTH,
  TITLE_MAX_LENGTH,
} from '../domain/articles/article.js';
import { USERNAME_MAX_LENGTH } from '../domain/shared/username.js';
import { PageQuery, Timestamp } from './common.js';
import { Profile } from './profile.js';

const title = Type.String({ maxLength: TITLE_MAX_LENGTH });
const description = Type.String({ maxLength: DESCRIPTION_MAX_LENGTH });
const body = Type.String({ maxLength: BODY_MAX_LENGTH });
const tagList = Type.Array(Type.String({ maxLength: TAG_MAX_LENGTH }), {
  maxItems: TAGS_MAX_COUNT,
});

export const NewArticleBody = Type.Object(
  {
    article: Type.Object(
      { title, description, body, tagList: Type.Optional(tagList) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type NewArticleBody = Static<typeof NewArticleBody>;

export const UpdateArticleBody = Type.Object(
  {
    article: Type.Object(
      {
        title: Type.Optional(title),
        description: Type.Optional(description),
        body: Type.Optional(body),
        tagList: Type.Optional(tagList),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);
export type UpdateArticleBody = Static<typeof UpdateArticleBody>;

const cardProperties = {
  slug: Type.String(),
  title: Type.String(),
  description: Type.String(),
  tagList: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  favorited: Type.Boolean(),
  favoritesCount: Type.Integer(),
  author: Profile,
};

export const ArticleResponse = Type.Object({
  article: Type.Object({ ...cardProperties, body: Type.String() }),
});
export type ArticleResponse = Static<typeof ArticleResponse>;

/** List items carry no `body`: the schema is the whitelist, so it can't leak into a list. */
export const MultipleArticlesResponse = Type.Object({
  articles: Type.Array(Type.Object(cardProperties)),
  articlesCount: Type.Integer({ description: 'Total matching articles, not the page size' }),
});
export type MultipleArticlesResponse = Static<typeof MultipleArticlesResponse>;

export const ArticleListQuery = Type.Object({
  tag: Type.Optional(
    Type.String({ maxLength: TAG_MAX_LENGTH, description: 'Only articles with this tag' }),
  ),
  author: Type.Optional(
    Type.String({ maxLength: USERNAME_MAX_LENGTH, description: 'Only articles by this username' }),
  ),
  favorited: Type.Optional(
    Type.String({
      maxLength: USERNAME_MAX_LENGTH,
      description: 'Only articles favorited by this username',
    }),
  ),
  ...PageQuery,
});
export type ArticleListQuery = Static<typeof ArticleListQuery>;

export const FeedQuery = Type.Object(PageQuery);
export type FeedQuery = Static<typeof FeedQuery>;

export const SlugParams = Type.Object({ slug: Type.String() });
export type SlugParams = Static<typeof SlugParams>;

export const TagsResponse = Type.Object({ tags: Type.Array(Type.String()) });
export type TagsResponse = Static<typeof TagsResponse>;
