import type { UserId, Viewer } from '../shared/ids.js';
import { usernameFromPath, type Username } from '../shared/username.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { ProfileView } from '../shared/profile-view.js';
import type { FollowRepository, ProfileQueries } from './ports.js';

export interface ProfileServiceDeps {
  readonly follows: FollowRepository;
  readonly queries: ProfileQueries;
}

/** Profiles and the follow graph, as seen by the viewer. Follow and unfollow are idempotent. */
export interface ProfileService {
  get(username: string, viewer: Viewer): Promise<ProfileView>;
  follow(follower: UserId, username: string): Promise<ProfileView>;
  unfollow(follower: UserId, username: string): Promise<ProfileView>;
}

export function createProfileService({ follows, queries }: ProfileServiceDeps): ProfileService {
  function existing(username: string): Username {
    const parsed = usernameFromPath(username);
    if (parsed === undefined) throw new NotFoundError('profile');
    return parsed;
  }

  async function view(username: Username, viewer: Viewer): Promise<ProfileView> {
    const profile = await queries.findProfile(username, viewer);
    if (profile === undefined) throw new NotFoundError('profile');
    return profile;
  }

  async function followeeId(follower: UserId, username: string): Promise<[Username, UserId]> {
    const name = existing(username);
    const followee = await follows.findUserId(name);
    if (followee === undefined) throw new NotFoundError('profile');
    if (followee === follower) throw ValidationError.field('profile', 'cannot follow yourself');
    return [name, followee];
  }

  return {
    async get(username: string, viewer: Viewer): Promise<ProfileView> {
      return view(existing(username), viewer);
    },

    async follow(follower: UserId, username: string): Promise<ProfileView> {
      const [name, followee] = await followeeId(follower, username);
      await follows.follow(follower, followee);
      return view(name, follower);
    },

    async unfollow(follower: UserId, username: string): Promise<ProfileView> {
      const [name, followee] = await followeeId(follower, username);
      await follows.unfollow(follower, followee);
      return view(name, follower);
    },
  };
}
