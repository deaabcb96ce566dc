/** One dependency's state, as `/health/ready` reports it. */
export interface DependencyStatus {
  readonly name: string;
  readonly ready: boolean;
  /** What an operator needs to know, never a secret or a connection string. */
  readonly detail: string;
}

/** Checks every dependency a request needs; ready only when all of them are. */
export type ReadinessCheck = () => Promise<readonly DependencyStatus[]>;
