/**
 * Runs `work` in one database transaction with repositories bound to it: all of its writes
 * commit together or none do. The domain sees only this function, never the database.
 */
export type Transaction<Repositories> = <T>(
  work: (repositories: Repositories) => Promise<T>,
) => Promise<T>;

/**
 * Runs `work` as one transaction that every repository and recorder it calls joins: a command's
 * change and the events it records commit together or not at all.
 */
export type Atomic = <T>(work: () => Promise<T>) => Promise<T>;
