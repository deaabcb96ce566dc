import { describe, expect, it, vi } from 'vitest';
import type { ProfileView } from '../../src/domain/shared/profile-view.js';
import { createProfileService } from '../../src/domain/profiles/profile-service.js';
import type { UserId, Viewer } from '../../src/domain/shared/ids.js';
import type { Username } from '../../src/domain/shared/username.js';
import { NotFoundError, ValidationError } from '../../src/domain/shared/errors.js';
import { recordingEvents } from '../helpers/recorded-events.js';

const JANE = 1 as UserId;
const JOHN = 2 as UserId;

/** Two users and an in-memory follow graph behind both ports. */
function setup() {
  const ids = new Map<string, UserId>([
    ['jane', JANE],
    ['john', JOHN],
  ]);
  const edges = new Set<string>();
  const edge = (follower: UserId, followee: UserId) => `${String(follower)}->${String(followee)}`;
  const findProfile = vi.fn((username: Username, viewer: Viewer) => {
    const id = ids.get(username);
    const profile: ProfileView | undefined =
      id === undefined
        ? undefined
        : {
            username,
            bio: null,
            image: null,
            following: viewer !== undefined && edges.has(edge(viewer, id)),
          };
    return Promise.resolve(profile);
  });
  // Read back by id after a follow: under whatever name the account has now.
  const findProfileOf = vi.fn((id: UserId, viewer: UserId) => {
    const name = [...ids].find(([, each]) => each === id)?.[0];
    return name === undefined ? Promise.resolve(undefined) : findProfile(name as Username, viewer);
  });
  const { atomic, events, recorded } = recordingEvents();
  const service = createProfileService({
    atomic,
    events,
    follows: {
      findUserId: (username) => Promise.resolve(ids.get(username)),
      follow(follower, followee) {
        const key = edge(follower, followee);
        const added = !edges.has(key);
        edges.add(key);
        return Promise.resolve(added);
      },
      unfollow(follower, followee) {
        return Promise.resolve(edges.delete(edge(follower, followee)));
      },
    },
    queries: { findProfile, findProfileOf },
  });
  return { service, ids, edges, findProfile, findProfileOf, recorded };
}

describe('ProfileService.get', () => {
  it('returns the profile, not followed for an anonymous viewer', async () => {
    const { service } = setup();
    await expect(service.get('john', undefined)).resolves.toEqual({
      username: 'john',
      bio: null,
      image: null,
      following: false,
    });
  });

  it('throws NotFoundError for an unknown username', async () => {
    const { service } = setup();
    await expect(service.get('nobody', JANE)).rejects.toThrow(new NotFoundError('profile'));
  });

  it.each(['no spaces', 'a'.repeat(65), 'jané'])(
    'throws NotFoundError for %j without asking, as no account can have it',
    async (username) => {
      const { service, findProfile } = setup();
      await expect(async () => service.get(username, JANE)).rejects.toThrow(
        new NotFoundError('profile'),
      );
      expect(findProfile).not.toHaveBeenCalled();
    },
  );

  it('reports an impossible username as a rejected promise, like an unknown one', async () => {
    const { service } = setup();
    let returned: Promise<ProfileView> | undefined;
    expect(() => {
      returned = service.get('no spaces', JANE);
    }).not.toThrow();
    await expect(returned).rejects.toThrow(new NotFoundError('profile'));
  });
});

describe('ProfileService.follow', () => {
  it('follows the user and returns the profile as now followed', async () => {
    const { service, edges } = setup();
    await expect(service.follow(JANE, 'john')).resolves.toMatchObject({
      username: 'john',
      following: true,
    });
    expect(edges).toEqual(new Set(['1->2']));
  });

  it('throws NotFoundError for an unknown or impossible username', async () => {
    const { service, edges } = setup();
    await expect(service.follow(JANE, 'nobody')).rejects.toThrow(new NotFoundError('profile'));
    await expect(service.follow(JANE, 'not/valid')).rejects.toThrow(new NotFoundError('profile'));
    expect(edges.size).toBe(0);
  });

  it('refuses to follow yourself', async () => {
    const { service, edges } = setup();
    await expect(service.follow(JANE, 'jane')).rejects.toThrow(
      ValidationError.field('profile', 'cannot follow yourself'),
    );
    expect(edges.size).toBe(0);
  });

  it('throws NotFoundError when the profile vanishes before it is read back', async () => {
    const { service, findProfileOf } = setup();
    findProfileOf.mockResolvedValueOnce(undefined);
    await expect(service.follow(JANE, 'john')).rejects.toThrow(new NotFoundError('profile'));
  });

  it('answers with the account it followed when that account was renamed meanwhile', async () => {
    const { service, ids } = setup();
    const follow = service.follow(JANE, 'john');
    // The name was resolved; the account is renamed, and another takes its old name.
    ids.delete('john');
    ids.set('johnny', JOHN);
    ids.set('john', 3 as UserId);
    await expect(follow).resolves.toMatchObject({ username: 'johnny', following: true });
  });
});

describe('ProfileService.unfollow', () => {
  it('unfollows the user and returns the profile as not followed', async () => {
    const { service, edges } = setup();
    await service.follow(JANE, 'john');
    await expect(service.unfollow(JANE, 'john')).resolves.toMatchObject({
      username: 'john',
      following: false,
    });
    expect(edges.size).toBe(0);
  });

  it('throws NotFoundError for an unknown username', async () => {
    const { service } = setup();
    await expect(service.unfollow(JANE, 'nobody')).rejects.toThrow(new NotFoundError('profile'));
  });

  it('refuses to unfollow yourself', async () => {
    const { service } = setup();
    await expect(service.unfollow(JANE, 'jane')).rejects.toThrow(
      ValidationError.field('profile', 'cannot follow yourself'),
    );
  });
});

describe('ProfileService events', () => {
  it('records a follow and an unfollow with the follower as aggregate, once each', async () => {
    const { service, recorded } = setup();
    await service.follow(JANE, 'john');
    await service.follow(JANE, 'john');
    await service.unfollow(JANE, 'john');
    await service.unfollow(JANE, 'john');
    const payload = { followerId: JANE, followeeId: JOHN };
    const aggregate = { type: 'user', id: JANE };
    expect(recorded).toEqual([
      { type: 'profile.followed', version: 1, aggregate, payload },
      { type: 'profile.unfollowed', version: 1, aggregate, payload },
    ]);
  });
});
