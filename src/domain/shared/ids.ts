import type { Brand } from './brand.js';

export type UserId = Brand<number, 'UserId'>;
export type ArticleId = Brand<number, 'ArticleId'>;
export type CommentId = Brand<number, 'CommentId'>;

const ID_PATTERN = /^[1-9][0-9]{0,9}$/;
const MAX_ID = 2_147_483_647; // PostgreSQL integer

/** A user id from outside (a token subject): a positive 32-bit integer, else `undefined`. */
export function parseUserId(value: string): UserId | undefined {
  if (!ID_PATTERN.test(value)) return undefined;
  const id = Number(value);
  return id <= MAX_ID ? (id as UserId) : undefined;
}

/** Who is asking: an authenticated user's id, or `undefined` for an anonymous request. */
export type Viewer = UserId | undefined;
