import type { AuditActor, AuditRecord } from '../../../domain/shared/audit.js';
import type { UserId } from '../../../domain/shared/ids.js';

/** How `audit_events.actor` stores an account: `user:<id>`; the others by name. */
const USER_ACTOR = /^user:(\d+)$/;

export function storedActor(actor: AuditActor): string {
  return typeof actor === 'number' ? `user:${String(actor)}` : actor;
}

/** The account id of a stored actor; `undefined` for `system` and `anonymous`. */
export function actorAccount(stored: string): UserId | undefined {
  const id = USER_ACTOR.exec(stored)?.[1];
  return id === undefined ? undefined : (Number(id) as UserId);
}

/** A stored actor as the admin API shows it, with the account's current name. */
export function actorRecord(
  stored: string,
  usernames: ReadonlyMap<number, string>,
): AuditRecord['actor'] {
  const id = actorAccount(stored);
  if (id !== undefined) return { type: 'user', id, username: usernames.get(id) ?? null };
  if (stored !== 'system' && stored !== 'anonymous') {
    throw new Error(`audit entry with an unknown actor ${stored}`);
  }
  return { type: stored };
}
