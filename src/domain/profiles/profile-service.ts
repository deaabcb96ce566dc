import type { EventRecorder } from '../shared/events.js';
import type { UserId, Viewer } from '../shared/ids.js';
import type { Atomic } from '../shared/transaction.js';
import { usernameFromPath, type Username } from '../shared/username.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { ProfileView } from '../shared/profile-view.js';
import type { FollowRepository, ProfileQueries } from './ports.js';

export interface ProfileServiceDeps {
  readonly atomic: Atomic;
  readonly events: EventRecorder;
  readonly follows: FollowRepository;
  readonly queries: ProfileQueries;
}

/** Profiles and the follow graph, as seen by the viewer. Follow and unfollow are idempotent. */
export interface ProfileService {
  get(username: string, viewer: Viewer): Promise<ProfileView>;
  follow(follower: UserId, username: string): Promise<ProfileView>;
  unfollow(follower: UserId, username: string): Promise<ProfileView>;
}

export function createProfileService({
  atomic,
  events,
  follows,
  queries,
}: ProfileServiceDeps): ProfileService {
  /** A username from the URL; one that could never have been registered names no profile. */
  function profileName(username: string): Username {
    const parsed = usernameFromPath(username);
    if (parsed === undefined) throw new NotFoundError('profile');
    return parsed;
  }

  async function view(username: Username, viewer: Viewer): Promise<ProfileView> {
    const profile = await queries.findProfile(username, viewer);
    if (profile === undefined) throw new NotFoundError('profile');
    return profile;
  }

  /**
   * A follow's answer: the account it changed, read by id. Its name was resolved before the
   * write, and a rename committed since would make that name another account's, or no one's.
   */
  async function changed(followee: UserId, follower: UserId): Promise<ProfileView> {
    const profile = await queries.findProfileOf(followee, follower);
    if (profile === undefined) throw new NotFoundError('profile');
    return profile;
  }

  /** The user `follower` wants to (un)follow: one that exists and is someone else. */
  async function followee(follower: UserId, username: string): Promise<UserId> {
    const name = profileName(username);
    const id = await follows.findUserId(name);
    if (id === undefined) throw new NotFoundError('profile');
    if (id === follower) throw ValidationError.field('profile', 'cannot follow yourself');
    return id;
  }

  return {
    async get(username: string, viewer: Viewer): Promise<ProfileView> {
      return view(profileName(username), viewer);
    },

    async follow(follower: UserId, username: string): Promise<ProfileView> {
      const target = await followee(follower, username);
      await atomic(async () => {
        if (!(await follows.follow(follower, target))) return;
        await events.record({
          type: 'profile.followed',
          version: 1,
          aggregate: { type: 'user', id: follower },
          payload: { followerId: follower, followeeId: target },
        });
      });
      return changed(target, follower);
    },

    async unfollow(follower: UserId, username: string): Promise<ProfileView> {
      const target = await followee(follower, username);
      await atomic(async () => {
        if (!(await follows.unfollow(follower, target))) return;
        await events.record({
          type: 'profile.unfollowed',
          version: 1,
          aggregate: { type: 'user', id: follower },
          payload: { followerId: follower, followeeId: target },
        });
      });
      return changed(target, follower);
    },
  };
}
