/** Every seeded user's password, so the load driver can log in as anyone. */
export const BENCH_PASSWORD = 'keel-bench-password';
