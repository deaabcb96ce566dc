import type { CommentId } from '../shared/ids.js';
import { requiredText } from '../shared/text.js';
import type { ProfileView } from '../shared/profile-view.js';

export const COMMENT_MAX_LENGTH = 10_000;

export interface CommentView {
  readonly id: CommentId;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly body: string;
  readonly author: ProfileView;
}

export function parseCommentBody(value: string): string {
  return requiredText('body', value, COMMENT_MAX_LENGTH);
}

/** Comment ids are positive 32-bit integers; any other path value names no comment. */
export function commentIdFromPath(value: number): CommentId | undefined {
  return Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647
    ? (value as CommentId)
    : undefined;
}
