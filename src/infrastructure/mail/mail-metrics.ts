import { Counter, type Registry } from 'prom-client';

/**
 * Adds `mail_recipients_refused_total{status}` to `registry`: recipients the SMTP server refused
 * for good, by status (a handful of values, `recipient-refusal.ts`). A few are normal; a rate
 * close to every mail sent says the sending itself is wrong. Returns what counts one.
 */
export function registerMailMetrics(registry: Registry): (status: string) => void {
  const refused = new Counter({
    name: 'mail_recipients_refused_total',
    help: 'Mail recipients the SMTP server refused for good (the mail counted as sent), by status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  return (status) => {
    refused.inc({ status });
  };
}
