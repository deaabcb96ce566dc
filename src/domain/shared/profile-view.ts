import type { Username } from './username.js';

/** Another user as seen by the viewer; `following` is false for anonymous viewers. */
export interface ProfileView {
  readonly username: Username;
  readonly bio: string | null;
  readonly image: string | null;
  readonly following: boolean;
}
