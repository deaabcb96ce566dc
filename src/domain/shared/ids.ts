import type { Brand } from './brand.js';

export type UserId = Brand<number, 'UserId'>;
export type ArticleId = Brand<number, 'ArticleId'>;
export type CommentId = Brand<number, 'CommentId'>;

/** Who is asking: an authenticated user's id, or `undefined` for an anonymous request. */
export type Viewer = UserId | undefined;
