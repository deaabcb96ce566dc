import { BENCH_PASSWORD } from '../seed/bench-password.js';
import { runLimited } from '../seed/run-limited.js';

interface LoginResponse {
  readonly user: { readonly token: string };
}

/**
 * Logs in every email through the API (Argon2id verify each time), a few at a time so start-up
 * does not queue hundreds of hashes, and returns the tokens in the same order.
 */
export async function loginAll(origin: string, emails: readonly string[]): Promise<string[]> {
  const tokens = new Array<string>(emails.length);
  const indexes = emails.map((_, index) => index);
  await runLimited(indexes, 4, async (index) => {
    const response = await fetch(`${origin}/api/v1/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { email: emails[index], password: BENCH_PASSWORD } }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) {
      throw new Error(`login of ${String(emails[index])} answered ${String(response.status)}`);
    }
    tokens[index] = ((await response.json()) as LoginResponse).user.token;
  });
  return tokens;
}
