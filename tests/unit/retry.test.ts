import { describe, expect, it, vi } from 'vitest';
import {
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
