export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;
/** Deep offsets scan and discard rows; past this a client should narrow its filter instead. */
export const MAX_PAGE_OFFSET = 10_000;

export interface Page {
  readonly limit: number;
  readonly offset: number;
}

/** Applies the defaults; the bounds are enforced by the request schema. */
export function pageOf(query: { readonly limit?: number; readonly offset?: number }): Page {
  return { limit: query.limit ?? DEFAULT_PAGE_LIMIT, offset: query.offset ?? 0 };
}
