import { describe, expect, it } from 'vitest';
import { parseUserId } from '../../src/domain/shared/ids.js';

describe('parseUserId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['2147483647', 2_147_483_647],
  ])('reads %j as the user id %d', (value, id) => {
    expect(parseUserId(value)).toBe(id);
  });

  it.each(['', '0', '01', '-1', '1.5', '1e3', ' 1', '0x10', 'abc', '2147483648', '99999999999'])(
    'returns undefined for %j, which no user can have',
    (value) => {
      expect(parseUserId(value)).toBeUndefined();
    },
  );
});
