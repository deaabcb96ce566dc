import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import type { ReadinessCheck } from '../core/health.js';
import { HealthResponse, ReadinessResponse } from '../schemas/health.js';

const tags = ['Operations'];

/** Probes for the orchestrator and metrics for Prometheus; unversioned, outside `/api`. */
export function operationsRoutes(
  ready: ReadinessCheck,
  metrics: Registry,
): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    app.get(
      '/health/live',
      {
        config: { permission: 'public' },
        schema: {
          tags,
          summary: 'The process is up (restart it if not)',
          response: { 200: HealthResponse },
        },
      },
      () => ({ status: 'live' as const }),
    );

    app.get(
      '/health/ready',
      {
        config: { permission: 'public' },
        schema: {
          tags,
          summary: 'Every dependency is ready (send traffic only if so)',
          response: { 200: ReadinessResponse, 503: ReadinessResponse },
        },
      },
      async (_request, reply) => {
        const checks = await ready();
        const allReady = checks.every((check) => check.ready);
        return reply
          .code(allReady ? 200 : 503)
          .send({ status: allReady ? 'ready' : 'not_ready', checks: [...checks] });
      },
    );

    app.get(
      '/metrics',
      {
        config: { permission: 'public' },
        schema: { tags, summary: 'Prometheus metrics', hide: true },
      },
      async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()),
    );
    done();
  };
}
