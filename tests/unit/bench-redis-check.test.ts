import { describe, expect, it } from 'vitest';
import { expectRedisAnswers } from '../../bench/load/redis-check.js';

describe("the bench's Redis check", () => {
  it('refuses a Redis that does not answer, naming its host and not the whole URL', async () => {
    const refused = expectRedisAnswers('redis://:secret@127.0.0.1:1');
    await expect(refused).rejects.toThrow('--redis-url: Redis at 127.0.0.1:1 does not answer');
    await expect(refused).rejects.not.toThrow('secret');
  });

  it.runIf(process.env.TEST_REDIS_URL !== undefined)('lets a run start when Redis answers', () =>
    expect(expectRedisAnswers(process.env.TEST_REDIS_URL ?? '')).resolves.toBeUndefined(),
  );
});
