/** The JSON the bench writes with --out and reads with --compare. */
export interface BenchReport {
  readonly runs: readonly BenchRun[];
}

/** One size on one database: the ceilings and every scenario, measured in the same run. */
export interface BenchRun {
  readonly size: string;
  readonly database: 'postgres' | 'embedded';
  readonly seed: number;
  readonly startedAt: string;
  readonly machine: Machine;
  readonly settings: {
    readonly durationSeconds: number;
    readonly warmupSeconds: number;
    readonly connections: number;
    readonly poolSize: number;
    /** Keel ran with Redis (`--redis-url`); absent in reports written before the option. */
    readonly redis?: boolean;
    /** `--smoke`: a smaller fixture (fewer users logged in); absent in older reports. */
    readonly smoke?: boolean;
    /** `--dist`: Keel ran built (dist/server.js), not through tsx; absent in older reports. */
    readonly dist?: boolean;
    /** `--reuse`: a kept database's data, earlier runs' writes included; absent in older ones. */
    readonly reuse?: boolean;
    /** `--only`'s words, none for every scenario; absent in older reports. */
    readonly only?: readonly string[];
  };
  /**
   * The commit Keel ran from, with a digest of any uncommitted change to it (bench/load/commit.ts);
   * absent in older reports, and where git could not tell.
   */
  readonly commit?: string;
  /** Each scenario over the rounds (bench/report/rounds.ts): the median round's rate. */
  readonly ceilings: readonly ScenarioResult[];
  readonly scenarios: readonly ScenarioResult[];
  /** Each round as measured; absent in reports written before `--rounds`. */
  readonly rounds?: readonly BenchRound[];
}

/**
 * One round: the ceilings, then Keel's scenarios, each server started afresh. A share taken
 * within a round compares two rates measured seconds apart (a hot read and the select-1 windows
 * around it, side by side) or minutes apart (PGlite, and the other scenarios), not hours.
 */
export interface BenchRound {
  readonly ceilings: readonly ScenarioResult[];
  readonly scenarios: readonly ScenarioResult[];
  /**
   * On PostgreSQL, where the two servers run side by side (bench/load/side-by-side.ts): the
   * select-1 ceiling measured again between the hot reads, in order, and for each hot read and
   * bare read the windows right before and right after it, by their index. Absent for PGlite,
   * whose one data directory the two servers can't share, and in older reports.
   */
  readonly selectOneBeside?: {
    readonly windows: readonly ScenarioResult[];
    readonly around: Readonly<Record<string, readonly [number, number]>>;
  };
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly database: string;
}

export interface ScenarioResult {
  readonly name: string;
  readonly description: string;
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Over the rounds: the lowest and the highest round's rate; absent in older reports. */
  readonly requestsPerSecondRange?: Range;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  readonly non2xx: number;
  /** Socket errors and timeouts. */
  readonly errors: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** CPU time of the server process during the measured window (not the warm-up). */
  readonly serverCpuSeconds: number;
  readonly serverPeakRssMiB: number;
  /**
   * CPU time of every process of the PostgreSQL server during the measured window, when it runs
   * on this machine; absent for PGlite (it runs inside the server's process) or a remote server.
   */
  readonly databaseCpuSeconds?: number;
  /**
   * CPU time of the bench's own process during the measured window: autocannon, the load
   * driver, sharing the machine with the servers; absent in older reports.
   */
  readonly driverCpuSeconds?: number;
  /**
   * Database work Keel ran again during the measured window (its `db_retries_total`): each a
   * deadlock, a serialization failure or a lost connection the client never saw. Absent for the
   * ceiling server and in older reports.
   */
  readonly databaseRetries?: number;
  /**
   * Errors and non-2xx answers of the load run beside the scenario (the logins of "list during
   * login burst"), which fail it too; absent when nothing ran beside it.
   */
  readonly besideFailures?: number;
  /** Any error or non-2xx response fails the scenario; timings never do. */
  readonly failed: boolean;
}
