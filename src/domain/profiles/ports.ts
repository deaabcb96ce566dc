import type { UserId, Viewer } from '../shared/ids.js';
import type { Username } from '../shared/username.js';
import type { ProfileView } from '../shared/profile-view.js';

export interface ProfileQueries {
  /** One round trip: the profile and whether `viewer` follows it. */
  findProfile(username: Username, viewer: Viewer): Promise<ProfileView | undefined>;
  /**
   * The profile of account `id` under the username it has now, as `viewer` sees it: a follow's
   * answer, which must describe the account it changed even if it was renamed meanwhile.
   */
  findProfileOf(id: UserId, viewer: UserId): Promise<ProfileView | undefined>;
}

/**
 * The follow graph. Both writes are idempotent: repeating one changes nothing, and each says
 * whether it changed something.
 */
export interface FollowRepository {
  findUserId(username: Username): Promise<UserId | undefined>;
  follow(follower: UserId, followee: UserId): Promise<boolean>;
  unfollow(follower: UserId, followee: UserId): Promise<boolean>;
}
