import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_LIMIT, pageOf } from '../../src/domain/shared/pagination.js';

describe('pageOf', () => {
  it('defaults to the first page of 20', () => {
    expect(pageOf({})).toEqual({ limit: DEFAULT_PAGE_LIMIT, offset: 0 });
  });

  it('keeps the limit and offset given', () => {
    expect(pageOf({ limit: 5, offset: 40 })).toEqual({ limit: 5, offset: 40 });
  });
});
