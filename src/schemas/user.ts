import { Type, type Static } from 'typebox';
import { EMAIL_MAX_LENGTH } from '../domain/identity/email.js';
import { PASSWORD_MAX_LENGTH } from '../domain/identity/password.js';
import { BIO_MAX_LENGTH, IMAGE_MAX_LENGTH } from '../domain/identity/user.js';
import { USERNAME_MAX_LENGTH } from '../domain/shared/username.js';
import { NullableString } from './common.js';

const username = Type.String({ maxLength: USERNAME_MAX_LENGTH });
const email = Type.String({ maxLength: EMAIL_MAX_LENGTH });
const password = Type.String({ maxLength: PASSWORD_MAX_LENGTH, format: 'password' });

export const LoginBody = Type.Object(
  { user: Type.Object({ email, password }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const NewUserBody = Type.Object(
  { user: Type.Object({ username, email, password }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type NewUserBody = Static<typeof NewUserBody>;

export const UpdateUserBody = Type.Object(
  {
    user: Type.Object(
      {
        username: Type.Optional(username),
        email: Type.Optional(email),
        password: Type.Optional(password),
        bio: Type.Optional(Type.Union([Type.String({ maxLength: BIO_MAX_LENGTH }), Type.Null()])),
        image: Type.Optional(
          Type.Union([Type.String({ maxLength: IMAGE_MAX_LENGTH }), Type.Null()]),
        ),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const UserResponse = Type.Object({
  user: Type.Object({
    email: Type.String(),
    token: Type.String(),
    username: Type.String(),
    bio: NullableString,
    image: NullableString,
  }),
});
export type UserResponse = Static<typeof UserResponse>;
