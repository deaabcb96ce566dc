import { describe, expect, it, vi } from 'vitest';
import {
  databaseRetries,
  isConnectionLost,
  isDatabaseUnavailable,
  isRetryableRead,
  isRetryableWrite,
  retryingReads,
  writeRetry,
} from '../../src/infrastructure/db/retry.js';

/** A driver error as Drizzle wraps it: the SQLSTATE sits on the cause. */
function failure(code: string): Error {
  return new Error('Failed query', { cause: Object.assign(new Error(code), { code }) });
}

describe('isRetryableWrite', () => {
  it('retries only what PostgreSQL rolled back: deadlocks and serialization failures', () => {
    expect(isRetryableWrite(failure('40P01'))).toBe(true);
    expect(isRetryableWrite(failure('40001'))).toBe(true);
    expect(isRetryableWrite(failure('ECONNRESET'))).toBe(false);
    expect(isRetryableWrite(failure('23505'))).toBe(false);
    expect(isRetryableWrite(new Error('no code'))).toBe(false);
  });
});

describe('isRetryableRead', () => {
  it('also retries a lost connection, since reading twice changes nothing', () => {
    expect(isRetryableRead(failure('ECONNRESET'))).toBe(true);
    expect(isRetryableRead(failure('57P01'))).toBe(true);
    expect(isRetryableRead(failure('40P01'))).toBe(true);
    expect(isRetryableRead(failure('42P01'))).toBe(false);
  });
});

describe('isDatabaseUnavailable', () => {
  it('a statement the server cancelled (statement_timeout): 503, not retried, the connection kept', () => {
    expect(isDatabaseUnavailable(failure('57014'))).toBe(true);
    expect(isRetryableRead(failure('57014'))).toBe(false);
    expect(isRetryableWrite(failure('57014'))).toBe(false);
    expect(isConnectionLost(failure('57014'))).toBe(false);
  });
});

describe("node-postgres's own reports of a broken connection, which carry no code", () => {
  /** As Drizzle wraps it: the driver's error is the cause. */
  const reported = (message: string): Error =>
    new Error('Failed query', { cause: new Error(message) });

  it.each([
    'Connection terminated unexpectedly',
    'Client has encountered a connection error and is not queryable',
  ])('%s: a lost connection, read again, and a 503 when it persists', (message) => {
    expect(isConnectionLost(reported(message))).toBe(true);
    expect(isRetryableRead(reported(message))).toBe(true);
    expect(isRetryableWrite(reported(message))).toBe(false);
    expect(isDatabaseUnavailable(reported(message))).toBe(true);
  });

  it.each(['Query read timeout', 'Connection terminated due to connection timeout'])(
    '%s: a lost connection, answered 503 at once (another try would wait as long)',
    (message) => {
      expect(isConnectionLost(reported(message))).toBe(true);
      expect(isRetryableRead(reported(message))).toBe(false);
      expect(isDatabaseUnavailable(reported(message))).toBe(true);
    },
  );

  it('a pool with no connection to give in time: unavailable, but no connection was lost', () => {
    const timeout = reported('timeout exceeded when trying to connect');
    expect(isDatabaseUnavailable(timeout)).toBe(true);
    expect(isConnectionLost(timeout)).toBe(false);
  });

  it('any other failure: none of these', () => {
    const other = reported('relation "nope" does not exist');
    expect(isConnectionLost(other)).toBe(false);
    expect(isDatabaseUnavailable(other)).toBe(false);
  });
});

/** `db_retries_total` for one series. */
async function retries(kind: string, reason: string): Promise<number> {
  const { values } = await databaseRetries.get();
  return values.find(({ labels }) => labels.kind === kind && labels.reason === reason)?.value ?? 0;
}

describe('db_retries_total', () => {
  it('counts each retry by kind and reason, and only retries', async () => {
    const before = {
      deadlock: await retries('write', 'deadlock'),
      serialization: await retries('write', 'serialization_failure'),
      lost: await retries('read', 'connection_lost'),
    };
    const writeWork = vi
      .fn()
      .mockRejectedValueOnce(failure('40P01'))
      .mockRejectedValueOnce(failure('40001'))
      .mockResolvedValueOnce('done');
    await writeRetry.execute(writeWork);
    await expect(writeRetry.execute(() => Promise.reject(failure('23505')))).rejects.toThrow();
    const port = retryingReads({
      find: vi.fn().mockRejectedValueOnce(failure('ECONNRESET')).mockResolvedValueOnce(1),
    });
    await port.find();

    expect(await retries('write', 'deadlock')).toBe(before.deadlock + 1);
    expect(await retries('write', 'serialization_failure')).toBe(before.serialization + 1);
    expect(await retries('read', 'connection_lost')).toBe(before.lost + 1);
  });

  it('holds a series for every kind and reason a retry can produce, so none begins missing', async () => {
    const { values } = await databaseRetries.get();
    expect(values.map(({ labels }) => [labels.kind, labels.reason].join('/')).sort()).toEqual([
      'read/connection_lost',
      'read/deadlock',
      'read/serialization_failure',
      'write/deadlock',
      'write/serialization_failure',
    ]);
  });
});

describe('writeRetry', () => {
  it('runs a rolled-back transaction again and returns its result', async () => {
    const work = vi.fn().mockRejectedValueOnce(failure('40P01')).mockResolvedValueOnce('done');
    await expect(writeRetry.execute(work)).resolves.toBe('done');
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('gives up after three attempts in all', async () => {
    const work = vi.fn().mockRejectedValue(failure('40001'));
    await expect(writeRetry.execute(work)).rejects.toThrow('Failed query');
    expect(work).toHaveBeenCalledTimes(3);
  });

  it('never repeats a write whose outcome is unknown', async () => {
    const work = vi.fn().mockRejectedValue(failure('ECONNRESET'));
    await expect(writeRetry.execute(work)).rejects.toThrow('Failed query');
    expect(work).toHaveBeenCalledTimes(1);
  });
});

describe('retryingReads', () => {
  it('retries each method of a read port on a transient failure, with its arguments', async () => {
    const find = vi.fn().mockRejectedValueOnce(failure('08006')).mockResolvedValueOnce({ id: 1 });
    const port = retryingReads({ find: (id: number) => find(id) as Promise<{ id: number }> });
    await expect(port.find(1)).resolves.toEqual({ id: 1 });
    expect(find).toHaveBeenCalledTimes(2);
    expect(find).toHaveBeenLastCalledWith(1);
  });
});
