/** A seeded pseudo-random source: the same seed gives the same dataset on every machine. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform whole number in [0, n). */
  int(n: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/**
 * mulberry32: a 32-bit generator in a few lines, plenty for synthetic data. Hand-written rather
 * than a dependency because the seeder needs nothing but a repeatable stream of floats.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick<T>(items: readonly T[]): T {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}

/**
 * An independent stream per purpose (FNV-1a of the label mixed into the seed), so each table's
 * rows depend only on the seed, not on the order in which tables are generated.
 */
export function deriveRandom(seed: number, label: string): Random {
  let hash = 0x811c9dc5;
  for (const char of label) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193);
  return createRandom((hash ^ Math.imul(seed, 0x9e3779b1)) >>> 0);
}

/**
 * Ranks 0..n-1 drawn with probability proportional to 1/(rank+1)^exponent (Zipf): a few ranks
 * get most draws, the long tail a few each, as popularity does in social data.
 */
export function createZipf(n: number, exponent: number): (random: Random) => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += 1 / (rank + 1) ** exponent;
    cumulative[rank] = total;
  }
  return (random) => {
    const target = random.next() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] ?? total) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

/** 0..n-1 in random order (Fisher–Yates): maps a popularity rank to an entity. */
export function shuffledIndexes(n: number, random: Random): Int32Array {
  const indexes = new Int32Array(n);
  for (let index = 0; index < n; index++) indexes[index] = index;
  for (let index = n - 1; index > 0; index--) {
    const other = random.int(index + 1);
    const swap = indexes[index] ?? 0;
    indexes[index] = indexes[other] ?? 0;
    indexes[other] = swap;
  }
  return indexes;
}

/**
 * Pareto weights (heavy-tailed activity: most users do a little, a few do a lot) scaled so they
 * add up to about `total`, each capped at `cap`.
 */
export function heavyTailedCounts(
  n: number,
  total: number,
  cap: number,
  random: Random,
): Int32Array {
  const shape = 1.5;
  const weights = new Float64Array(n);
  let sum = 0;
  for (let index = 0; index < n; index++) {
    const weight = (1 - random.next()) ** (-1 / shape);
    weights[index] = weight;
    sum += weight;
  }
  const counts = new Int32Array(n);
  for (let index = 0; index < n; index++) {
    counts[index] = Math.min(cap, Math.round(((weights[index] ?? 0) * total) / sum));
  }
  return counts;
}

/**
 * Up to `count` distinct values from `draw`, ascending, never `excluded`. Bounded: it stops after
 * a fixed number of draws per value, so a saturated distribution yields fewer, never a hang.
 */
export function drawDistinct(count: number, draw: () => number, excluded = -1): Int32Array {
  const chosen = new Set<number>();
  const maxDraws = count * 20 + 100;
  for (let attempt = 0; attempt < maxDraws && chosen.size < count; attempt++) {
    const value = draw();
    if (value !== excluded) chosen.add(value);
  }
  return Int32Array.from(chosen).sort();
}
