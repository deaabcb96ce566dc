import type { AuditTrail } from '../shared/audit.js';
import type { AccountField, EventRecorder } from '../shared/events.js';
import {
  AccountSuspendedError,
  InvalidCredentialsError,
  parseFields,
  UnauthenticatedError,
} from '../shared/errors.js';
import type { Atomic } from '../shared/transaction.js';
import { parseEmail, parseLoginEmail } from './email.js';
import { parseNewPassword, requireLoginPassword } from './password.js';
import { honours } from './token-version.js';
import type { AccountChanges, AccountRepository, PasswordHasher, TokenIssuer } from './ports.js';
import {
  parseBio,
  parseImage,
  type Account,
  type AuthenticatedUser,
  type Principal,
  type AccessCheck,
  type TokenClaims,
} from './user.js';
import { parseUsername } from '../shared/username.js';

export interface RegistrationInput {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

export interface LoginInput {
  readonly email: string;
  readonly password: string;
}

export interface AccountUpdateInput {
  readonly username?: string;
  readonly email?: string;
  readonly password?: string;
  readonly bio?: string | null;
  readonly image?: string | null;
}

export interface AccountServiceDeps {
  readonly atomic: Atomic;
  readonly events: EventRecorder;
  readonly audit: AuditTrail;
  readonly accounts: AccountRepository;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenIssuer;
}

/** Registration, login and the current user's account. */
export interface AccountService {
  register(input: RegistrationInput): Promise<AuthenticatedUser>;
  /**
   * `InvalidCredentialsError` for an unknown email or a wrong password, at the same cost;
   * `AccountSuspendedError` for the right password of a suspended account.
   */
  login(input: LoginInput): Promise<AuthenticatedUser>;
  /**
   * The caller a verified token names, as long as the account still exists, is active and has
   * not signed out since the token was issued, as `check` reads it; else
   * `UnauthenticatedError('invalid')`.
   */
  authenticate(claims: TokenClaims, check: AccessCheck): Promise<Principal>;
  current(caller: TokenClaims): Promise<AuthenticatedUser>;
  /**
   * Changes only the fields given; `null` or `""` clears bio and image. A new password revokes
   * every token of the account but the caller's, which the RealWorld contract keeps using
   * (spec.md §8).
   */
  update(caller: TokenClaims, input: AccountUpdateInput): Promise<AuthenticatedUser>;
  /** Signs out every token of the account, the caller's own included. */
  logOutEverywhere(caller: TokenClaims): Promise<void>;
}

/** The profile fields an update changes, as its event names them (the password has its own). */
function changedFields(changes: AccountChanges): AccountField[] {
  return (['username', 'email', 'bio', 'image'] as const).filter(
    (field) => changes[field] !== undefined,
  );
}

export function createAccountService({
  atomic,
  events,
  audit,
  accounts,
  hasher,
  tokens,
}: AccountServiceDeps): AccountService {
  async function authenticated(account: Account): Promise<AuthenticatedUser> {
    return {
      email: account.email,
      token: await tokens.issue({ userId: account.id, tokenVersion: account.tokenVersion }),
      username: account.username,
      bio: account.bio,
      image: account.image,
    };
  }

  /** The fields an update names, parsed (each that fails named), a new password hashed. */
  async function parseChanges(input: AccountUpdateInput): Promise<AccountChanges> {
    const { username, email, password, bio, image } = input;
    const { newPassword, ...changes } = parseFields((field) => ({
      ...(username !== undefined && { username: field(() => parseUsername(username)) }),
      ...(email !== undefined && { email: field(() => parseEmail(email)) }),
      ...(password !== undefined && { newPassword: field(() => parseNewPassword(password)) }),
      ...(bio !== undefined && { bio: field(() => parseBio(bio)) }),
      ...(image !== undefined && { image: field(() => parseImage(image)) }),
    }));
    return {
      ...changes,
      // A new password shuts out whoever else holds a token (a thief, a forgotten device); the
      // caller's own token goes on working.
      ...(newPassword !== undefined && {
        passwordHash: await hasher.hash(newPassword),
        revokeTokens: 'others' as const,
      }),
    };
  }

  return {
    async register(input: RegistrationInput): Promise<AuthenticatedUser> {
      const { username, email, password } = parseFields((field) => ({
        username: field(() => parseUsername(input.username)),
        email: field(() => parseEmail(input.email)),
        password: field(() => parseNewPassword(input.password)),
      }));
      // Hashed before the transaction: Argon2 takes milliseconds that no connection should wait.
      const passwordHash = await hasher.hash(password);
      const account = await atomic(async () => {
        const inserted = await accounts.insert({ username, email, passwordHash });
        await events.record({
          type: 'user.registered',
          version: 1,
          aggregate: { type: 'user', id: inserted.id },
          payload: { userId: inserted.id, username: inserted.username },
        });
        return inserted;
      });
      return authenticated(account);
    },

    async login(input: LoginInput): Promise<AuthenticatedUser> {
      const spellings = parseLoginEmail(input.email);
      const password = requireLoginPassword(input.password);
      // Every spelling looked up, the first found kept, and always verified, even for an unknown
      // email, so response time does not reveal which addresses (or spellings) have accounts.
      const [asSent, spelled] = await Promise.all(
        spellings.map((email) => accounts.findCredentialsByEmail(email)),
      );
      const found = asSent ?? spelled;
      const valid = await hasher.verify(found?.passwordHash, password);
      if (found === undefined || !valid) {
        // Recorded without the email or the password tried; an unknown email has no subject.
        await atomic(() =>
          audit.append({
            action: 'account.login_failed',
            actor: 'anonymous',
            subject: found?.account.id,
          }),
        );
        throw new InvalidCredentialsError();
      }
      // Said only to someone who knows the password: anyone else learns nothing of the account.
      if (found.account.status === 'suspended') throw new AccountSuspendedError();
      return authenticated(found.account);
    },

    async authenticate(claims: TokenClaims, check: AccessCheck): Promise<Principal> {
      const access =
        check === 'current'
          ? await accounts.findAccess(claims.userId)
          : await accounts.findRecentAccess(claims.userId, claims.tokenVersion);
      // A valid signature for an account that is gone, that revoked the token since it was
      // issued, or that is suspended (which revoked its tokens too) is a stale credential.
      if (access === undefined || !honours(access, claims) || access.status !== 'active') {
        throw new UnauthenticatedError('invalid');
      }
      return { ...claims, role: access.role };
    },

    async current(caller: TokenClaims): Promise<AuthenticatedUser> {
      const account = await accounts.findById(caller.userId);
      // Checked again, as stored: a revocation or suspension since the request was authenticated
      // (or since the standing a read is checked against was cached) must not be answered with
      // a fresh token.
      if (account === undefined || !honours(account, caller) || account.status !== 'active') {
        throw new UnauthenticatedError('invalid');
      }
      return authenticated(account);
    },

    async update(caller: TokenClaims, input: AccountUpdateInput): Promise<AuthenticatedUser> {
      const { userId } = caller;
      const changes = await parseChanges(input);
      const account = await atomic(async () => {
        const updated = await accounts.update(caller, changes);
        if (updated === undefined) throw new UnauthenticatedError('invalid');
        const aggregate = { type: 'user', id: userId } as const;
        const changed = changedFields(changes);
        if (changed.length > 0) {
          await events.record({
            type: 'user.profile_updated',
            version: 1,
            aggregate,
            payload: { userId, changed },
          });
        }
        if (changes.passwordHash !== undefined) {
          await events.record({
            type: 'user.password_changed',
            version: 1,
            aggregate,
            payload: { userId },
          });
          await audit.append({
            action: 'account.password_changed',
            actor: userId,
            subject: userId,
          });
        }
        return updated;
      });
      return authenticated(account);
    },

    async logOutEverywhere(caller: TokenClaims): Promise<void> {
      await atomic(async () => {
        const account = await accounts.update(caller, { revokeTokens: 'all' });
        if (account === undefined) throw new UnauthenticatedError('invalid');
        await audit.append({
          action: 'account.tokens_revoked',
          actor: caller.userId,
          subject: caller.userId,
        });
      });
    },
  };
}
