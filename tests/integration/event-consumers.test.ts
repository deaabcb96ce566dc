import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import type { DatabaseHandle } from '../../src/infrastructure/db/database.js';
import { createEventConsumers } from '../../src/infrastructure/events/consumers.js';
import { openTestDatabase } from '../helpers/app.js';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

/** The consumers `environment` configures, and what they warned of at start. */
async function consumersOf(
  environment: Record<string, string>,
): Promise<{ readonly names: string[]; readonly warnings: string[] }> {
  const warnings: string[] = [];
  const log = {
    info: () => undefined,
    warn: (_details: object, message: string) => warnings.push(message),
  };
  const built = createEventConsumers(loadConfig(environment), database.db, log);
  await built.close();
  return { names: built.consumers.map((consumer) => consumer.name), warnings };
}

describe('the event consumers configured (spec.md §4.1)', () => {
  it('mails nothing in production without SMTP_URL, and says so', async () => {
    expect(await consumersOf({ NODE_ENV: 'production' })).toEqual({
      names: [],
      warnings: ['no SMTP_URL: notifications by mail are off'],
    });
  });

  it('warns that mail links have no host when SMTP_URL comes without APP_URL', async () => {
    expect(await consumersOf({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toEqual({
      names: ['notifications', 'moderation-notices'],
      warnings: ["no APP_URL: links in mail are paths, without the web app's address"],
    });
  });

  it('warns of nothing with both', async () => {
    const configured = await consumersOf({
      SMTP_URL: 'smtp://127.0.0.1:2525',
      APP_URL: 'https://conduit.example',
    });
    expect(configured.warnings).toEqual([]);
  });
});
