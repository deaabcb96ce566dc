/** How many rows of each kind a dataset size holds. */
export interface DatasetSize {
  readonly name: SizeName;
  readonly users: number;
  readonly articles: number;
  readonly follows: number;
  readonly favorites: number;
  readonly comments: number;
}

export type SizeName = 's' | 'm' | 'l';

/**
 * The sizes (users, articles, favorites); follows average 20 per user and comments 2
 * per article at every size, and S keeps the 10 favorites per article of M and L.
 */
export const DATASET_SIZES: Readonly<Record<SizeName, DatasetSize>> = {
  s: {
    name: 's',
    users: 1_000,
    articles: 10_000,
    follows: 20_000,
    favorites: 100_000,
    comments: 20_000,
  },
  m: {
    name: 'm',
    users: 10_000,
    articles: 100_000,
    follows: 200_000,
    favorites: 1_000_000,
    comments: 200_000,
  },
  l: {
    name: 'l',
    users: 50_000,
    articles: 1_000_000,
    follows: 1_000_000,
    favorites: 10_000_000,
    comments: 2_000_000,
  },
};

/** The size named `value` (s, m or l, in either case), or `undefined`. */
export function findSize(value: string): DatasetSize | undefined {
  return Object.hasOwn(DATASET_SIZES, value.toLowerCase())
    ? DATASET_SIZES[value.toLowerCase() as SizeName]
    : undefined;
}

/** What to tell someone who named no size. */
export const unknownSize = (value: string): string => `unknown size "${value}": use s, m or l`;
