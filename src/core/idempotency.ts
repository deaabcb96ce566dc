/** Stored keys are deleted this long after their first use (ARCHITECTURE §3, spec.md §4). */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

/** A keyed request: whose key, the key, and what the request was (an HMAC, see spec.md §4). */
export interface KeyedRequest {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
}

/** What is stored of a first answer: its status and what the route keeps of its body (JSON). */
export interface StoredAnswer {
  readonly status: number;
  readonly kept: unknown;
}

/** How a keyed request went. */
export type IdempotencyOutcome<Result> =
  /** The work ran, and its effect and answer committed together. */
  | { readonly kind: 'first'; readonly result: Result }
  /** The key was used before for the same request: its stored answer. */
  | { readonly kind: 'replay'; readonly answer: StoredAnswer }
  /** The key was used before for a different request. */
  | { readonly kind: 'reused' }
  /** The request that first used the key is still running. */
  | { readonly kind: 'busy' };

/** Where keys and answers live; the database implements it (infrastructure/db/idempotency-store.ts). */
export interface IdempotencyStore {
  /**
   * Runs `work` unless the key has been used, in one transaction with everything `work` writes
   * and the answer it returns, so the effect and its record commit together or not at all.
   */
  once<Result>(
    request: KeyedRequest,
    work: () => Promise<{ readonly result: Result; readonly answer: StoredAnswer }>,
  ): Promise<IdempotencyOutcome<Result>>;
  /** Deletes keys past their retention; answers how many. */
  expire(): Promise<number>;
}
