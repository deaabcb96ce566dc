import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createAccountService } from '../../src/domain/identity/account-service.js';
import { parseEmail, type Email } from '../../src/domain/identity/email.js';
import type { AccountRepository } from '../../src/domain/identity/ports.js';
import type { Account, TokenClaims } from '../../src/domain/identity/user.js';
import {
  AccountSuspendedError,
  InvalidCredentialsError,
  UnauthenticatedError,
  ValidationError,
} from '../../src/domain/shared/errors.js';
import type { UserId } from '../../src/domain/shared/ids.js';
import { BLANK } from '../../src/domain/shared/text.js';
import { parseUsername } from '../../src/domain/shared/username.js';
import { parseTokenId } from '../../src/domain/identity/token-version.js';
import { memoryAccounts, version } from '../helpers/memory-accounts.js';
import { recordingEvents } from '../helpers/recorded-events.js';

/**
 * The claims of a token for `userId`, issued under `tokenVersion` (0, the first, by default),
 * with the id `tokenId` if given.
 */
const claims = (userId: number, tokenVersion = 0, tokenId?: string): TokenClaims => ({
  userId: userId as UserId,
  tokenVersion: version(tokenVersion),
  tokenId: tokenId === undefined ? undefined : parseTokenId(tokenId),
});

/**
 * In-memory accounts (with `recent`, if given, as their standing as last read), a hasher that
 * prefixes, and tokens that name their user and version.
 */
function setup(recent?: AccountRepository['findRecentAccess']) {
  const memory = memoryAccounts();
  const { rows, changesSeen, set } = memory;
  const accounts = { ...memory.accounts, ...(recent && { findRecentAccess: recent }) };
  const hash = vi.fn((password: string) => Promise.resolve(`hashed:${password}`));
  const verify = vi.fn((stored: string | undefined, password: string) =>
    Promise.resolve(stored === `hashed:${password}`),
  );
  const { atomic, events, audit, recorded, audited } = recordingEvents();
  const service = createAccountService({
    atomic,
    events,
    audit,
    accounts,
    hasher: { hash, verify },
    tokens: {
      issue: ({ userId, tokenVersion }) =>
        Promise.resolve(`token-for-${String(userId)}@${String(tokenVersion)}`),
    },
  });
  return { service, accounts, rows, changesSeen, set, hash, verify, recorded, audited };
}

type Service = ReturnType<typeof setup>['service'];

const JANE = { username: 'jane', email: 'Jane@Example.com', password: 'correct horse' };

describe('AccountService.register', () => {
  it('stores the parsed account with a hash of the password and returns it with a token', async () => {
    const { service, rows } = setup();
    const user = await service.register({ ...JANE, username: ' jane ' });
    expect(user).toEqual({
      email: 'jane@example.com',
      token: 'token-for-1@0',
      username: 'jane',
      bio: null,
      image: null,
    });
    expect(rows.get(1 as UserId)?.passwordHash).toBe('hashed:correct horse');
  });

  it('rejects invalid input before hashing or storing anything', async () => {
    const { service, rows, hash } = setup();
    await expect(service.register({ ...JANE, password: 'short' })).rejects.toThrow(
      ValidationError.field('password', 'is too short (minimum is 8 characters)'),
    );
    await expect(service.register({ ...JANE, email: 'nope' })).rejects.toThrow(
      ValidationError.field('email', 'is invalid'),
    );
    expect(hash).not.toHaveBeenCalled();
    expect(rows.size).toBe(0);
  });
});

describe('AccountService.login', () => {
  it('returns the user with a token for the right password, whatever the email case', async () => {
    const { service } = setup();
    await service.register(JANE);
    const user = await service.login({ email: ' JANE@example.COM ', password: JANE.password });
    expect(user).toMatchObject({ username: 'jane', token: 'token-for-1@0' });
  });

  it('looks up both spellings of an address even when the first finds the account', async () => {
    // One lookup more for an address stored as sent than for one that is not would let response
    // times tell which addresses an account was stored under before addresses had one spelling.
    const { service, accounts, rows } = setup();
    const legacy = 'jane@xn--bcher-kva.example';
    await service.register({ ...JANE, email: legacy });
    const id = 1 as UserId;
    const row = rows.get(id);
    if (row === undefined) throw new Error('jane was not registered');
    rows.set(id, { ...row, account: { ...row.account, email: legacy as Email } });
    const lookups = vi.spyOn(accounts, 'findCredentialsByEmail');
    const user = await service.login({ email: legacy, password: JANE.password });
    expect(user.email).toBe(legacy);
    expect(lookups.mock.calls).toEqual([[legacy], ['jane@bücher.example']]);
  });

  it('throws InvalidCredentialsError for a wrong password', async () => {
    const { service } = setup();
    await service.register(JANE);
    await expect(service.login({ email: JANE.email, password: 'wrong horse' })).rejects.toThrow(
      InvalidCredentialsError,
    );
  });

  it('still verifies a password for an unknown email, then throws InvalidCredentialsError', async () => {
    const { service, verify } = setup();
    await expect(
      service.login({ email: 'nobody@example.com', password: 'whatever1' }),
    ).rejects.toThrow(InvalidCredentialsError);
    expect(verify).toHaveBeenCalledWith(undefined, 'whatever1');
  });

  it('tells only the holder of the right password that the account is suspended', async () => {
    const { service, set, audited } = setup();
    await service.register(JANE);
    set(1 as UserId, { status: 'suspended' });
    await expect(service.login({ email: JANE.email, password: 'wrong horse' })).rejects.toThrow(
      InvalidCredentialsError,
    );
    await expect(service.login(JANE)).rejects.toThrow(AccountSuspendedError);
    // The wrong password is audited as a failed login; the right one is no failure to record.
    expect(audited.map((entry) => entry.action)).toEqual(['account.login_failed']);
  });

  it('rejects an empty password without looking anything up', async () => {
    const { service, verify } = setup();
    await expect(service.login({ email: JANE.email, password: '' })).rejects.toThrow(
      ValidationError.field('password', BLANK),
    );
    expect(verify).not.toHaveBeenCalled();
  });

  it("accepts a stored password that today's policy would refuse", async () => {
    const { service, rows } = setup();
    const account: Account = {
      id: 7 as UserId,
      username: parseUsername('old'),
      email: parseEmail('old@example.com'),
      bio: null,
      image: null,
      tokenVersion: version(0),
      keptTokenId: null,
      status: 'active',
    };
    rows.set(account.id, { account, passwordHash: 'hashed:abc', role: 'user' });
    await expect(
      service.login({ email: 'old@example.com', password: 'abc' }),
    ).resolves.toMatchObject({ username: 'old' });
  });
});

describe('AccountService.current', () => {
  it('returns the account with a fresh token', async () => {
    const { service } = setup();
    await service.register(JANE);
    await expect(service.current(claims(1))).resolves.toMatchObject({
      username: 'jane',
      token: 'token-for-1@0',
    });
  });

  it('treats the token of an account that no longer exists as invalid', async () => {
    const { service } = setup();
    await expect(service.current(claims(99))).rejects.toThrow(new UnauthenticatedError('invalid'));
  });

  it('gives a suspended account no fresh token, whatever its token was checked against', async () => {
    const { service, set } = setup();
    await service.register(JANE);
    set(1 as UserId, { status: 'suspended' });
    await expect(service.current(claims(1))).rejects.toThrow(new UnauthenticatedError('invalid'));
  });
});

describe('AccountService.update', () => {
  it('parses and passes on only the fields provided', async () => {
    const { service, changesSeen } = setup();
    await service.register(JANE);
    const user = await service.update(claims(1), { bio: '  I write.  ' });
    expect(changesSeen).toEqual([{ bio: 'I write.' }]);
    expect(user).toMatchObject({ username: 'jane', bio: 'I write.', image: null });
  });

  it('parses every field when all are given, hashing a new password', async () => {
    const { service, changesSeen, rows } = setup();
    await service.register(JANE);
    await service.update(claims(1), {
      username: 'jane2',
      email: 'JANE2@example.com',
      password: 'new passphrase',
      bio: null,
      image: ' https://example.com/jane.png ',
    });
    expect(changesSeen).toEqual([
      {
        username: 'jane2',
        email: 'jane2@example.com',
        passwordHash: 'hashed:new passphrase',
        revokeTokens: 'others',
        bio: null,
        image: 'https://example.com/jane.png',
      },
    ]);
    expect(rows.get(1 as UserId)?.passwordHash).toBe('hashed:new passphrase');
  });

  it('passes no changes when no field is given', async () => {
    const { service, changesSeen } = setup();
    await service.register(JANE);
    await service.update(claims(1), {});
    expect(changesSeen).toEqual([{}]);
  });

  it('rejects an invalid field without writing', async () => {
    const { service, changesSeen } = setup();
    await service.register(JANE);
    await expect(service.update(claims(1), { image: 'javascript:alert(1)' })).rejects.toThrow(
      ValidationError.field('image', 'must be an http or https URL'),
    );
    await expect(service.update(claims(1), { username: 'no spaces' })).rejects.toThrow(
      ValidationError,
    );
    expect(changesSeen).toEqual([]);
  });

  it('treats the token of an account that no longer exists as invalid', async () => {
    const { service } = setup();
    await expect(service.update(claims(99), { bio: 'hi' })).rejects.toThrow(
      new UnauthenticatedError('invalid'),
    );
  });
});

describe('AccountService.authenticate', () => {
  it("accepts a token of the current version, with the account's role", async () => {
    const { service, set } = setup();
    await service.register(JANE);
    await expect(service.authenticate(claims(1), 'current')).resolves.toEqual({
      userId: 1,
      tokenVersion: 0,
      role: 'user',
    });
    set(1 as UserId, { role: 'moderator' });
    await expect(service.authenticate(claims(1), 'current')).resolves.toMatchObject({
      role: 'moderator',
    });
  });

  it('refuses a current token of a suspended account', async () => {
    const { service, set } = setup();
    await service.register(JANE);
    set(1 as UserId, { status: 'suspended' });
    await expect(service.authenticate(claims(1), 'current')).rejects.toThrow(
      new UnauthenticatedError('invalid'),
    );
  });

  it('treats a verified token of a vanished account as invalid', async () => {
    const { service } = setup();
    await expect(service.authenticate(claims(7), 'current')).rejects.toThrow(
      new UnauthenticatedError('invalid'),
    );
  });

  it("refuses a token of any version but the account's current one", async () => {
    const { service } = setup();
    await service.register(JANE);
    await service.logOutEverywhere(claims(1));
    await service.logOutEverywhere(claims(1, 1));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2_147_483_647 }), async (tokenVersion) => {
        const check = service.authenticate(claims(1, tokenVersion), 'current');
        await (tokenVersion === 2
          ? expect(check).resolves.toMatchObject({ userId: 1 })
          : expect(check).rejects.toThrow(new UnauthenticatedError('invalid')));
      }),
    );
  });
});

describe('AccountService.authenticate, for a read', () => {
  it('checks the token against the standing as last read, not as stored now', async () => {
    const { service } = setup(() =>
      Promise.resolve({
        role: 'moderator',
        status: 'active',
        tokenVersion: version(0),
        keptTokenId: null,
      }),
    );
    await service.register(JANE);
    await service.logOutEverywhere(claims(1));
    await expect(service.authenticate(claims(1), 'recent')).resolves.toEqual({
      userId: 1,
      tokenVersion: 0,
      tokenId: undefined,
      role: 'moderator',
    });
    await expect(service.authenticate(claims(1), 'current')).rejects.toThrow(
      new UnauthenticatedError('invalid'),
    );
  });

  it('refuses what the standing as last read refuses', async () => {
    const standings = [
      undefined,
      { role: 'user', status: 'suspended', tokenVersion: version(0), keptTokenId: null },
      { role: 'user', status: 'active', tokenVersion: version(1), keptTokenId: null },
    ] as const;
    for (const standing of standings) {
      const { service } = setup(() => Promise.resolve(standing));
      await service.register(JANE);
      await expect(service.authenticate(claims(1), 'recent')).rejects.toThrow(
        new UnauthenticatedError('invalid'),
      );
      await expect(service.authenticate(claims(1), 'current')).resolves.toMatchObject({
        userId: 1,
      });
    }
  });
});

describe('revoking tokens', () => {
  const MINE = 'a0b1c2d3-0000-4000-8000-000000000001';
  const STOLEN = 'a0b1c2d3-0000-4000-8000-000000000002';

  it('an account update without a password keeps every token working', async () => {
    const { service } = setup();
    await service.register(JANE);
    const user = await service.update(claims(1, 0, MINE), { bio: 'still me' });
    expect(user.token).toBe('token-for-1@0');
    await expect(service.authenticate(claims(1, 0, STOLEN), 'current')).resolves.toMatchObject({
      userId: 1,
    });
  });

  it("a new password revokes every token but the caller's, which keeps working", async () => {
    const { service, changesSeen } = setup();
    await service.register(JANE);
    const user = await service.update(claims(1, 0, MINE), { password: 'new passphrase' });
    expect(changesSeen.at(-1)).toMatchObject({ revokeTokens: 'others' });
    expect(user.token).toBe('token-for-1@1');
    await expect(service.authenticate(claims(1, 0, MINE), 'current')).resolves.toMatchObject({
      userId: 1,
    });
    for (const other of [claims(1, 0, STOLEN), claims(1, 0)]) {
      await expect(service.authenticate(other, 'current')).rejects.toThrow(
        new UnauthenticatedError('invalid'),
      );
    }
    // The kept token may change the password again (the RealWorld suite does), and stays kept.
    await service.update(claims(1, 0, MINE), { password: 'newer passphrase' });
    await expect(service.current(claims(1, 0, MINE))).resolves.toMatchObject({ username: 'jane' });
    await expect(service.authenticate(claims(1, 1), 'current')).rejects.toThrow(
      UnauthenticatedError,
    );
    // Logging out everywhere lets none survive, the kept one included.
    await service.logOutEverywhere(claims(1, 0, MINE));
    await expect(service.authenticate(claims(1, 0, MINE), 'current')).rejects.toThrow(
      UnauthenticatedError,
    );
  });

  it('a new password changed with a token without an id keeps no token', async () => {
    const { service } = setup();
    await service.register(JANE);
    const user = await service.update(claims(1), { password: 'new passphrase' });
    expect(user.token).toBe('token-for-1@1');
    await expect(service.authenticate(claims(1, 0), 'current')).rejects.toThrow(
      UnauthenticatedError,
    );
  });

  it("logging out everywhere revokes every token, the caller's own included", async () => {
    const { service, changesSeen } = setup();
    await service.register(JANE);
    await service.logOutEverywhere(claims(1));
    expect(changesSeen).toEqual([{ revokeTokens: 'all' }]);
    await expect(service.authenticate(claims(1, 0), 'current')).rejects.toThrow(
      UnauthenticatedError,
    );
  });

  it.each([
    ['current', (service: Service) => service.current(claims(1, 0))],
    ['update', (service: Service) => service.update(claims(1, 0), { bio: 'hi' })],
    ['logOutEverywhere', (service: Service) => service.logOutEverywhere(claims(1, 0))],
  ])(
    '%s refuses a caller whose token was revoked after it was authenticated',
    async (_name, call) => {
      const { service } = setup();
      await service.register(JANE);
      await service.logOutEverywhere(claims(1, 0));
      await expect(call(service)).rejects.toThrow(new UnauthenticatedError('invalid'));
    },
  );
});

describe('AccountService events', () => {
  it('records registration, a profile update naming its fields, and a password change', async () => {
    const { service, recorded } = setup();
    await service.register(JANE);
    await service.update(claims(1), { bio: 'Hi', image: null, password: 'a new password!' });
    // The password change revoked the token without an id: the next update has a new one.
    await service.update(claims(1, 1), { username: 'janet' });
    const aggregate = { type: 'user', id: 1 };
    expect(recorded).toEqual([
      {
        type: 'user.registered',
        version: 1,
        aggregate,
        payload: { userId: 1, username: 'jane' },
      },
      {
        type: 'user.profile_updated',
        version: 1,
        aggregate,
        payload: { userId: 1, changed: ['bio', 'image'] },
      },
      { type: 'user.password_changed', version: 1, aggregate, payload: { userId: 1 } },
      {
        type: 'user.profile_updated',
        version: 1,
        aggregate,
        payload: { userId: 1, changed: ['username'] },
      },
    ]);
  });

  it('records nothing for an update of an account that is gone', async () => {
    const { service, recorded } = setup();
    await expect(service.update(claims(9), { bio: 'Hi' })).rejects.toThrow(UnauthenticatedError);
    expect(recorded).toEqual([]);
  });
});

describe('AccountService audit', () => {
  it('audits a password change by its owner, and only that among the updates', async () => {
    const { service, audited } = setup();
    await service.register(JANE);
    await service.update(claims(1), { bio: 'Hi' });
    await service.update(claims(1), { password: 'a new password!' });
    expect(audited).toEqual([{ action: 'account.password_changed', actor: 1, subject: 1 }]);
  });

  it('audits a log-out everywhere as its tokens revoked, by the account itself', async () => {
    const { service, audited } = setup();
    await service.register(JANE);
    await service.logOutEverywhere(claims(1));
    expect(audited).toEqual([{ action: 'account.tokens_revoked', actor: 1, subject: 1 }]);
    // The revoked token can't revoke again, and nothing more is audited.
    await expect(service.logOutEverywhere(claims(1))).rejects.toThrow(UnauthenticatedError);
    expect(audited).toHaveLength(1);
  });

  it('audits failed logins: the account when the email has one, none when it has not', async () => {
    const { service, audited } = setup();
    await service.register(JANE);
    await expect(service.login({ email: JANE.email, password: 'wrong one' })).rejects.toThrow(
      InvalidCredentialsError,
    );
    await expect(
      service.login({ email: 'nobody@example.com', password: 'whatever' }),
    ).rejects.toThrow(InvalidCredentialsError);
    await service.login({ email: JANE.email, password: JANE.password });
    expect(audited).toEqual([
      { action: 'account.login_failed', actor: 'anonymous', subject: 1 },
      { action: 'account.login_failed', actor: 'anonymous', subject: undefined },
    ]);
  });
});
