import { Type, type Static } from 'typebox';
import { NullableString } from './common.js';

export const Profile = Type.Object({
  username: Type.String(),
  bio: NullableString,
  image: NullableString,
  following: Type.Boolean(),
});

export const ProfileResponse = Type.Object({ profile: Profile });
export type ProfileResponse = Static<typeof ProfileResponse>;

export const UsernameParams = Type.Object({ username: Type.String() });
export type UsernameParams = Static<typeof UsernameParams>;
