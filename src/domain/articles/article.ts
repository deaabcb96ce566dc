import type { ArticleId, UserId } from '../shared/ids.js';
import { parseFields, ValidationError } from '../shared/errors.js';
import {
  BLANK,
  NOT_STORABLE,
  isBlank,
  isStorableText,
  lengthOf,
  requiredText,
  tooLong,
} from '../shared/text.js';
import type { ProfileView } from '../shared/profile-view.js';
import type { Slug } from '../shared/slug.js';

export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 1_000;
export const BODY_MAX_LENGTH = 100_000;
export const TAG_MAX_LENGTH = 50;
export const TAGS_MAX_COUNT = 20;

/** What the author may set; `parseArticleContent` is the only way to make one. */
export interface ArticleContent {
  readonly title: string;
  readonly description: string;
  readonly body: string;
}

/** The article fields every view shares; list items leave out `body`. */
export interface ArticleCard {
  readonly slug: Slug;
  readonly title: string;
  readonly description: string;
  readonly tagList: string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly favorited: boolean;
  readonly favoritesCount: number;
  readonly author: ProfileView;
}

export interface ArticleView extends ArticleCard {
  readonly body: string;
}

export interface ArticleList {
  readonly articles: ArticleCard[];
  readonly articlesCount: number;
}

/** The facts the write side needs to authorize a change. */
export interface ArticleRef {
  readonly id: ArticleId;
  readonly slug: Slug;
  readonly authorId: UserId;
}

export function parseTitle(value: string): string {
  return requiredText('title', value, TITLE_MAX_LENGTH);
}

export function parseDescription(value: string): string {
  return requiredText('description', value, DESCRIPTION_MAX_LENGTH);
}

/** The body is Markdown: leading and trailing whitespace may matter, so it is kept as sent. */
export function parseBody(value: string): string {
  if (isBlank(value)) throw ValidationError.field('body', BLANK);
  if (lengthOf(value) > BODY_MAX_LENGTH)
    throw ValidationError.field('body', tooLong(BODY_MAX_LENGTH));
  if (!isStorableText(value)) throw ValidationError.field('body', NOT_STORABLE);
  return value;
}

/** Title, description and body parsed, each field that fails named (`parseFields`). */
export function parseArticleContent(input: ArticleContent): ArticleContent {
  return parseFields((field) => ({
    title: field(() => parseTitle(input.title)),
    description: field(() => parseDescription(input.description)),
    body: field(() => parseBody(input.body)),
  }));
}

/**
 * Trimmed, de-duplicated tags, in the order first given; blank or oversized tags are errors.
 * Each is stored in NFC: a composed and a decomposed "café" are one tag, not two that look alike.
 * Measured once normalized (NFC lengthens a few characters, and the column holds 50).
 */
export function parseTags(values: readonly string[]): readonly string[] {
  const tags = new Set<string>();
  for (const value of values) {
    const tag = value.trim().normalize('NFC');
    if (isBlank(tag)) throw ValidationError.field('tagList', "can't contain a blank tag");
    if (lengthOf(tag) > TAG_MAX_LENGTH)
      throw ValidationError.field('tagList', tooLong(TAG_MAX_LENGTH));
    if (!isStorableText(tag)) throw ValidationError.field('tagList', NOT_STORABLE);
    tags.add(tag);
  }
  if (tags.size > TAGS_MAX_COUNT) {
    throw ValidationError.field(
      'tagList',
      `has too many tags (maximum is ${String(TAGS_MAX_COUNT)})`,
    );
  }
  return [...tags];
}
