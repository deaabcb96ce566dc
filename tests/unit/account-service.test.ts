import { describe, expect, it, vi } from 'vitest';
import { createAccountService } from '../../src/domain/identity/account-service.js';
import { parseEmail } from '../../src/domain/identity/email.js';
import type { AccountChanges, AccountRepository } from '../../src/domain/identity/ports.js';
import type { Account } from '../../src/domain/identity/user.js';
import {
  InvalidCredentialsError,
  UnauthenticatedError,
  ValidationError,
} from '../../src/domain/shared/errors.js';
import type { UserId } from '../../src/domain/shared/ids.js';
import { BLANK } from '../../src/domain/shared/text.js';
import { parseUsername } from '../../src/domain/shared/username.js';
import { recordingEvents } from '../helpers/recorded-events.js';

interface Row {
  account: Account;
  passwordHash: string;
}

/** In-memory accounts, a hasher that prefixes, and tokens that name their user. */
function setup() {
  const rows = new Map<UserId, Row>();
  const changesSeen: AccountChanges[] = [];
  const accounts: AccountRepository = {
    findById: (id) => Promise.resolve(rows.get(id)?.account),
    exists: (id) => Promise.resolve(rows.has(id)),
    findCredentialsByEmail: (email) =>
      Promise.resolve([...rows.values()].find((row) => row.account.email === email)),
    insert({ username, email, passwordHash }) {
      const account: Account = {
        id: (rows.size + 1) as UserId,
        username,
        email,
        bio: null,
        image: null,
      };
      rows.set(account.id, { account, passwordHash });
      return Promise.resolve(account);
    },
    update(id, changes) {
      changesSeen.push(changes);
      const row = rows.get(id);
      if (row === undefined) return Promise.resolve(undefined);
      const { passwordHash = row.passwordHash, ...fields } = changes;
      const account = { ...row.account, ...fields };
      rows.set(id, { account, passwordHash });
      return Promise.resolve(account);
    },
  };
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
    tokens: { issue: (id) => Promise.resolve(`token-for-${String(id)}`) },
  });
  return { service, rows, changesSeen, hash, verify, recorded, audited };
}

const JANE = { username: 'jane', email: 'Jane@Example.com', password: 'correct horse' };

describe('AccountService.register', () => {
  it('stores the parsed account with a hash of the password and returns it with a token', async () => {
    const { service, rows } = setup();
    const user = await service.register({ ...JANE, username: ' jane ' });
    expect(user).toEqual({
      email: 'jane@example.com',
      token: 'token-for-1',
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
    expect(user).toMatchObject({ username: 'jane', token: 'token-for-1' });
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
    };
    rows.set(account.id, { account, passwordHash: 'hashed:abc' });
    await expect(
      service.login({ email: 'old@example.com', password: 'abc' }),
    ).resolves.toMatchObject({ username: 'old' });
  });
});

describe('AccountService.current', () => {
  it('returns the account with a fresh token', async () => {
    const { service } = setup();
    await service.register(JANE);
    await expect(service.current(1 as UserId)).resolves.toMatchObject({
      username: 'jane',
      token: 'token-for-1',
    });
  });

  it('treats the token of an account that no longer exists as invalid', async () => {
    const { service } = setup();
    await expect(service.current(99 as UserId)).rejects.toThrow(
      new UnauthenticatedError('invalid'),
    );
  });
});

describe('AccountService.update', () => {
  it('parses and passes on only the fields provided', async () => {
    const { service, changesSeen } = setup();
    await service.register(JANE);
    const user = await service.update(1 as UserId, { bio: '  I write.  ' });
    expect(changesSeen).toEqual([{ bio: 'I write.' }]);
    expect(user).toMatchObject({ username: 'jane', bio: 'I write.', image: null });
  });

  it('parses every field when all are given, hashing a new password', async () => {
    const { service, changesSeen, rows } = setup();
    await service.register(JANE);
    await service.update(1 as UserId, {
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
        bio: null,
        image: 'https://example.com/jane.png',
      },
    ]);
    expect(rows.get(1 as UserId)?.passwordHash).toBe('hashed:new passphrase');
  });

  it('passes no changes when no field is given', async () => {
    const { service, changesSeen } = setup();
    await service.register(JANE);
    await service.update(1 as UserId, {});
    expect(changesSeen).toEqual([{}]);
  });

  it('rejects an invalid field without writing', async () => {
    const { service, changesSeen } = setup();
    await service.register(JANE);
    await expect(service.update(1 as UserId, { image: 'javascript:alert(1)' })).rejects.toThrow(
      ValidationError.field('image', 'must be an http or https URL'),
    );
    await expect(service.update(1 as UserId, { username: 'no spaces' })).rejects.toThrow(
      ValidationError,
    );
    expect(changesSeen).toEqual([]);
  });

  it('treats the token of an account that no longer exists as invalid', async () => {
    const { service } = setup();
    await expect(service.update(99 as UserId, { bio: 'hi' })).rejects.toThrow(
      new UnauthenticatedError('invalid'),
    );
  });
});

describe('AccountService.authenticate', () => {
  it('accepts the user a verified token names while the account exists', async () => {
    const { service } = setup();
    await service.register(JANE);
    await expect(service.authenticate(1 as UserId)).resolves.toBe(1);
  });

  it('treats a verified token of a vanished account as invalid', async () => {
    const { service } = setup();
    await expect(service.authenticate(7 as UserId)).rejects.toThrow(
      new UnauthenticatedError('invalid'),
    );
  });
});

describe('AccountService events', () => {
  it('records registration, a profile update naming its fields, and a password change', async () => {
    const { service, recorded } = setup();
    await service.register(JANE);
    await service.update(1 as UserId, { bio: 'Hi', image: null, password: 'a new password!' });
    await service.update(1 as UserId, { username: 'janet' });
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
    await expect(service.update(9 as UserId, { bio: 'Hi' })).rejects.toThrow(UnauthenticatedError);
    expect(recorded).toEqual([]);
  });
});

describe('AccountService audit', () => {
  it('audits a password change by its owner, and only that among the updates', async () => {
    const { service, audited } = setup();
    await service.register(JANE);
    await service.update(1 as UserId, { bio: 'Hi' });
    await service.update(1 as UserId, { password: 'a new password!' });
    expect(audited).toEqual([{ action: 'account.password_changed', actor: 1, subject: 1 }]);
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
