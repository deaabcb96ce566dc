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

export function parseSize(value: string): DatasetSize {
  const size = DATASET_SIZES[value.toLowerCase() as SizeName] as DatasetSize | undefined;
  if (size === undefined) throw new Error(`unknown size "${value}": use s, m or l`);
  return size;
}
