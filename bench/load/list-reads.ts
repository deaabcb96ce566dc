/** The list reads, which the ceiling server also serves bare (bench/ceilings/bare-reads.ts). */
export const LIST_READS = [
  'list anonymous',
  'list authenticated',
  'feed',
  'by tag',
  'by author',
  'favorited by',
] as const;

/** The name of a list read's bare scenario. */
export const bareName = (read: string): string => `bare: ${read}`;
