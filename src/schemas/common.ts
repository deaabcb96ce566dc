import { Type } from 'typebox';
import {
  MAX_PAGE_LIMIT,
  MAX_PAGE_OFFSET,
  DEFAULT_PAGE_LIMIT,
} from '../domain/shared/pagination.js';

/** `limit`/`offset` as every paged list takes them; bounds documented here are enforced here. */
export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_LIMIT,
      default: DEFAULT_PAGE_LIMIT,
      description: 'Page size',
    }),
  ),
  offset: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_PAGE_OFFSET,
      default: 0,
      description: 'Items to skip',
    }),
  ),
};

/** A timestamp: a `Date` inside Keel, ISO 8601 with milliseconds on the wire. */
export const Timestamp = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });

export const NullableString = Type.Union([Type.String(), Type.Null()]);
