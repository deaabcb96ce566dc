import type { ArticleId, CommentId, UserId } from './ids.js';
import type { Reason } from './reason.js';
import type { Role } from './roles.js';
import type { Slug } from './slug.js';
import type { Username } from './username.js';

/**
 * The domain events Keel emits: one per state change, named `<context>.<what happened>` and
 * versioned. A version changes only when a payload changes incompatibly; consumers read the
 * version. The catalogue with every payload is in spec.md §4.1.
 */
interface EventOf<Type extends string, Aggregate extends string, Payload> {
  readonly type: Type;
  readonly version: 1;
  /** The thing the event happened to: events of one aggregate are delivered in order. */
  readonly aggregate: { readonly type: Aggregate; readonly id: number };
  readonly payload: Payload;
}

/** Which of the fields a command may change it changed (values live in the write model). */
export type AccountField = 'username' | 'email' | 'bio' | 'image';
export type ArticleField = 'title' | 'description' | 'body' | 'tagList';

export type UserRegistered = EventOf<
  'user.registered',
  'user',
  { readonly userId: UserId; readonly username: Username }
>;
export type ProfileUpdated = EventOf<
  'user.profile_updated',
  'user',
  { readonly userId: UserId; readonly changed: readonly AccountField[] }
>;
export type PasswordChanged = EventOf<'user.password_changed', 'user', { readonly userId: UserId }>;
interface RolePayload {
  readonly userId: UserId;
  /** The role granted, or the one taken away (the account is a `user` again). */
  readonly role: Role;
  /** The role before: tells a promotion from a demotion (admin → moderator is a grant). */
  readonly previousRole: Role;
}
export type RoleGranted = EventOf<'user.role_granted', 'user', RolePayload>;
export type RoleRevoked = EventOf<'user.role_revoked', 'user', RolePayload>;
export type AccountSuspended = EventOf<'user.suspended', 'user', { readonly userId: UserId }>;
export type AccountReinstated = EventOf<'user.reinstated', 'user', { readonly userId: UserId }>;
interface FollowPayload {
  readonly followerId: UserId;
  readonly followeeId: UserId;
}
export type Followed = EventOf<'profile.followed', 'user', FollowPayload>;
export type Unfollowed = EventOf<'profile.unfollowed', 'user', FollowPayload>;
export type ArticlePublished = EventOf<
  'article.published',
  'article',
  {
    readonly articleId: ArticleId;
    readonly slug: Slug;
    readonly authorId: UserId;
    readonly title: string;
    readonly tagList: readonly string[];
  }
>;
export type ArticleUpdated = EventOf<
  'article.updated',
  'article',
  { readonly articleId: ArticleId; readonly slug: Slug; readonly changed: readonly ArticleField[] }
>;
export type ArticleDeleted = EventOf<
  'article.deleted',
  'article',
  { readonly articleId: ArticleId; readonly slug: Slug; readonly authorId: UserId }
>;
interface FavoritePayload {
  readonly articleId: ArticleId;
  readonly userId: UserId;
}
export type ArticleFavorited = EventOf<'article.favorited', 'article', FavoritePayload>;
export type ArticleUnfavorited = EventOf<'article.unfavorited', 'article', FavoritePayload>;
interface CommentPayload {
  readonly commentId: CommentId;
  readonly articleId: ArticleId;
  readonly authorId: UserId;
}
export type CommentAdded = EventOf<'comment.added', 'comment', CommentPayload>;
export type CommentDeleted = EventOf<'comment.deleted', 'comment', CommentPayload>;

/** A moderator removed someone's content: the author is told why (`moderation-notices`). */
interface RemovalPayload {
  readonly articleId: ArticleId;
  readonly slug: Slug;
  readonly authorId: UserId;
  readonly moderatorId: UserId;
  readonly reason: Reason;
}
export type ArticleRemoved = EventOf<'moderation.article_removed', 'article', RemovalPayload>;
export type CommentRemoved = EventOf<
  'moderation.comment_removed',
  'comment',
  RemovalPayload & { readonly commentId: CommentId }
>;

export type DomainEvent =
  | UserRegistered
  | ProfileUpdated
  | PasswordChanged
  | RoleGranted
  | RoleRevoked
  | AccountSuspended
  | AccountReinstated
  | Followed
  | Unfollowed
  | ArticlePublished
  | ArticleUpdated
  | ArticleDeleted
  | ArticleFavorited
  | ArticleUnfavorited
  | CommentAdded
  | CommentDeleted
  | ArticleRemoved
  | CommentRemoved;

export type EventType = DomainEvent['type'];

/**
 * Records an event in the transaction of the change it describes (the transactional outbox):
 * the event exists exactly when the change committed. Recording outside that transaction is a
 * programming error and throws.
 */
export interface EventRecorder {
  record(event: DomainEvent): Promise<void>;
}

/** An event as the outbox committed it: what happened, with its identity and time. */
export interface CommittedEvent {
  /** Unique everywhere (CloudEvents `id`, NATS message id). */
  readonly id: string;
  /** Commit-side order: an aggregate's events are delivered in this order. */
  readonly sequence: number;
  readonly occurredAt: Date;
  readonly event: DomainEvent;
}

/**
 * Thrown by a consumer that stopped because its signal aborted after it had done part of its work
 * (a fan-out that told some followers): the delivery is not a failure, and is given back to be
 * carried on at once, without counting a try (spec.md §4.1). A consumer that stopped before doing
 * anything throws the signal's reason instead, which counts as a failed try: every uncounted try
 * moved the work on, so a delivery can't be given back forever.
 */
export class DeliveryUnfinished extends Error {
  override readonly name = 'DeliveryUnfinished';
}

/** Something that must hear of committed events (follower notifications, NATS). */
export interface EventConsumer {
  /** Stored on each delivery row: renaming a consumer orphans what it was owed. */
  readonly name: string;
  accepts(type: EventType): boolean;
  /**
   * Must be idempotent by event id: a delivery may be repeated (at least once). `signal` aborts
   * when the delivery has run out of time (half the lease) or the relay is stopping: start no
   * further step then, and throw `DeliveryUnfinished` if this try did part of the work. The
   * relay waits for the step in flight before it settles or retries the delivery, so each step
   * must end by its own timeout within the other half of the lease, or another relay may take
   * the delivery while it still runs.
   */
  deliver(committed: CommittedEvent, signal: AbortSignal): Promise<void>;
}
