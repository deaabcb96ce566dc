/** The list reads, which the ceiling server also serves bare (bench/ceilings/bare-reads.ts). */
export const LIST_READS = [
  'list anonymous',
  'list authenticated',
  'feed',
  'by tag',
  'by author',
  'favorited by',
] as const;

/** The reads issue #6 budgets: each must stay flat as the data grows and near the ceiling. */
export const HOT_READS = [...LIST_READS, 'article by slug', 'profile', 'tags'] as const;

/** Whether `name` is one of the hot reads. */
export const isHotRead = (name: string): boolean => (HOT_READS as readonly string[]).includes(name);

/** The name of a list read's bare scenario. */
export const bareName = (read: string): string => `bare: ${read}`;
