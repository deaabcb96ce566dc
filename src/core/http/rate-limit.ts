import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { mailboxSpelling } from '../../domain/identity/email.js';
import {
  BREAKER_STATES,
  decide,
  rateLimitKey,
  type RateLimitName,
  type RateLimitStore,
  type RateLimitStoreHealth,
  type RateLimits,
} from '../rate-limit.js';
import { clientNetwork } from './client-network.js';
import { RateLimitedError } from './rate-limited-error.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The limits this route counts against, checked in order; `[]` declares none. */
    rateLimit?: readonly RateLimitName[];
  }
}

/** What the rate-limit hook reports to Prometheus. */
export interface RateLimitMetrics {
  rejected(limit: RateLimitName): void;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Adds `rate_limit_rejections_total{limit}`, `rate_limit_store_fallbacks_total` and, when the
 * store has a breaker (Redis), `redis_breaker_state` (0 closed, 1 half-open, 2 open) to
 * `registry`.
 */
export function registerRateLimitMetrics(
  registry: Registry,
  health?: () => RateLimitStoreHealth,
): RateLimitMetrics {
  const rejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused with 429, by the limit they exceeded',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  let counted = 0;
  new Counter({
    name: 'rate_limit_store_fallbacks_total',
    help: 'Rate-limit hits counted in this instance because the shared store (Redis) failed',
    registers: [registry],
    collect() {
      // The store counts; the metric catches up with it at each scrape.
      const fallbacks = health?.().fallbacks ?? 0;
      this.inc(fallbacks - counted);
      counted = fallbacks;
    },
  });
  if (health !== undefined) {
    new Gauge({
      name: 'redis_breaker_state',
      help: 'Circuit breaker around Redis: 0 closed, 1 half-open, 2 open (limits per instance)',
      registers: [registry],
      collect() {
        this.set(BREAKER_STATES.indexOf(health().breaker));
      },
    });
  }
  return {
    rejected(limit) {
      rejections.inc({ limit });
    },
  };
}

/**
 * The login email of a `{ user: { email } }` body, as the account service spells it: every
 * spelling of one mailbox (any case, punycode or decomposed) counts against one account.
 */
function loginEmailOf(body: unknown): string | undefined {
  const { user } = (body ?? {}) as { user?: unknown };
  const { email } = (user ?? {}) as { email?: unknown };
  return typeof email === 'string' ? mailboxSpelling(email.toLowerCase().trim()) : undefined;
}

/**
 * Who a limit counts: an address (an IPv6 one's /64, `clientNetwork`), an account or a user. An
 * account is a keyed digest of its email (HMAC with `accountKey`): no email lands in Redis, and
 * whoever reads Redis can't confirm a guessed address by hashing it.
 */
function subjectOf(
  name: RateLimitName,
  request: FastifyRequest,
  accountKey: string,
): string | undefined {
  switch (name) {
    case 'login-ip':
    case 'registration-ip':
      return clientNetwork(request.ip);
    case 'login-account': {
      const email = loginEmailOf(request.body);
      return email === undefined
        ? undefined
        : createHmac('sha256', accountKey).update(email).digest('base64url');
    }
    case 'write-user':
      return request.viewer === undefined ? undefined : String(request.viewer);
  }
}

/**
 * Rate limits for every route registered in `app` after this call, as each declares in
 * `config.rateLimit`. Runs as a preHandler: after authentication (writes count per user) and
 * body validation (login counts per account), before the handler, so a refused request has
 * written nothing. Every route that changes state must declare its limits (`[]` for none).
 */
export function registerRateLimits(
  app: FastifyInstance,
  store: RateLimitStore,
  limits: RateLimits,
  options: { readonly accountKey: string; readonly metrics?: RateLimitMetrics },
): void {
  const { accountKey, metrics } = options;
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const writes = methods.some((method) => !SAFE_METHODS.has(method));
    const names = route.config?.rateLimit;
    if (writes && names === undefined) {
      throw new Error(
        `route ${methods.join(',')} ${route.url} must declare config.rateLimit ([] for none)`,
      );
    }
    // Attached to the routes that have limits only: the reads pay nothing for them.
    if (names === undefined || names.length === 0) return;
    const own = route.preHandler ?? [];
    route.preHandler = [...(Array.isArray(own) ? own : [own]), enforce(names)];
  });

  /**
   * The limits `names`, in order, stopping at the first refusal: a request refused per IP does
   * not also use up the account's allowance.
   */
  function enforce(names: readonly RateLimitName[]) {
    return async (request: FastifyRequest): Promise<void> => {
      for (const name of names) {
        const subject = subjectOf(name, request, accountKey);
        if (subject === undefined) continue;
        const limit = limits[name];
        const decision = decide(
          limit,
          await store.hit(rateLimitKey(name, subject), limit.windowMs),
        );
        if (!decision.allowed) {
          metrics?.rejected(name);
          throw new RateLimitedError(name, decision.retryAfterSeconds);
        }
      }
    };
  }
}
