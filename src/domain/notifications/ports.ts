import type { ArticleId, UserId } from '../shared/ids.js';
import type { Slug } from '../shared/slug.js';
import type { Username } from '../shared/username.js';

export interface Recipient {
  readonly id: UserId;
  /** As the account stores it (lower-cased, validated at registration). */
  readonly email: string;
}

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** The same for every repeat of one notification, so mail systems can drop the repeats. */
  readonly id: string;
}

/** Sends mail: SMTP in production, the log in development, a capture in tests. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** An article as it reads now, for a mail about it. */
export interface ArticleHeadline {
  readonly title: string;
  readonly slug: Slug;
}

/** What the notifications read and remember. */
export interface NotificationStore {
  username(id: UserId): Promise<Username | undefined>;
  /** Article `id` as it reads now; `undefined` once deleted, by its author or a moderator. */
  headline(id: ArticleId): Promise<ArticleHeadline | undefined>;
  /**
   * Up to `limit` active followers of `authorId` (a suspended account is told nothing) not yet
   * told of event `eventSequence`, in id order after `after`.
   */
  untold(
    eventSequence: number,
    authorId: UserId,
    after: UserId | undefined,
    limit: number,
  ): Promise<Recipient[]>;
  /** Remembers that `recipient` was told of the event, so a repeat skips them. */
  told(eventSequence: number, recipient: UserId): Promise<void>;
  /** The account `id`, unless it is gone or was already told of event `eventSequence`. */
  untoldAccount(
    eventSequence: number,
    id: UserId,
  ): Promise<(Recipient & { readonly username: Username }) | undefined>;
}
