import { Type, type Static } from 'typebox';
import { COMMENT_MAX_LENGTH } from '../domain/comments/comment.js';
import { Timestamp } from './common.js';
import { Profile } from './profile.js';

export const NewCommentBody = Type.Object(
  {
    comment: Type.Object(
      { body: Type.String({ maxLength: COMMENT_MAX_LENGTH }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type NewCommentBody = Static<typeof NewCommentBody>;

const Comment = Type.Object({
  id: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  body: Type.String(),
  author: Profile,
});

export const CommentResponse = Type.Object({ comment: Comment });
export type CommentResponse = Static<typeof CommentResponse>;

export const MultipleCommentsResponse = Type.Object({ comments: Type.Array(Comment) });
export type MultipleCommentsResponse = Static<typeof MultipleCommentsResponse>;

export const CommentParams = Type.Object({ slug: Type.String(), id: Type.Integer() });
export type CommentParams = Static<typeof CommentParams>;
