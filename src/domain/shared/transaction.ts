/**
 * Runs `work` in one database transaction with repositories bound to it: all of its writes
 * commit together or none do. The domain sees only this function, never the database.
 */
export type Transaction<Repositories> = <T>(
  work: (repositories: Repositories) => Promise<T>,
) => Promise<T>;
