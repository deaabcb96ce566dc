/**
 * The database work a Keel process has run again since it started (`db_retries_total`, spec.md
 * §10: after a deadlock, a serialization failure or a lost connection), every kind and reason
 * summed, from the Prometheus text of its `/metrics`. Under load the retry hides each of them
 * from the client; a difference over a window shows them. Read with one pattern by hand:
 * prom-client writes this format but does not parse it, and one sample line is all this needs.
 */
export function retriesIn(metrics: string): number {
  let total = 0;
  // One sample per line: the name, its labels, the value. `# HELP` and `# TYPE` lines start with #.
  for (const [, value] of metrics.matchAll(/^db_retries_total(?:\{[^}]*\})? (\S+)$/gm)) {
    total += Number(value);
  }
  return total;
}

export async function readRetries(metricsUrl: string): Promise<number> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`${metricsUrl} answered ${String(response.status)}`);
  return retriesIn(await response.text());
}
