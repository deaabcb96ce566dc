import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventConsumer } from '../../src/domain/shared/events.js';
import {
  listDeadLetters,
  redriveDeadLetters,
} from '../../src/infrastructure/db/outbox/dead-letters.js';
import { createDeliveryStore } from '../../src/infrastructure/db/outbox/delivery-store.js';
import {
  eventDeliveriesTable,
  outboxEventsTable,
} from '../../src/infrastructure/db/schema/outbox.js';
import { drain, recordInterleaved, testRelay } from '../helpers/outbox.js';
import { createTestPostgres, type TestPostgres } from './postgres.js';

/**
 * The relay's claim on a real PostgreSQL (spec.md §4.1): its "head of the line" probe stays an
 * index lookup on a large backlog, and several relays draining re-driven dead letters keep one
 * delivery per aggregate in flight and each re-driven event behind its aggregate's later ones.
 */
describe.runIf(process.env.TEST_DATABASE_URL !== undefined)('the outbox claim', () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await createTestPostgres();
  });
  afterAll(async () => {
    await postgres.drop();
  });

  interface PlanNode {
    readonly 'Node Type': string;
    readonly 'Join Type'?: string;
    readonly Alias?: string;
    readonly 'Index Name'?: string;
    readonly Plans?: readonly PlanNode[];
  }
  const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

  it('finds whether a delivery heads its line through event_deliveries_line_idx', async () => {
    const { db } = postgres.handle;
    // 20 000 deliveries: two consumers, 2 000 aggregates of five events each.
    const aggregates = 2_000;
    const events = await db
      .insert(outboxEventsTable)
      .values(
        Array.from({ length: aggregates * 5 }, (_, n) => ({
          id: randomUUID(),
          type: 'article.favorited',
          version: 1,
          aggregateType: 'article',
          aggregateId: n % aggregates,
          payload: {},
        })),
      )
      .returning({ sequence: outboxEventsTable.sequence, id: outboxEventsTable.aggregateId });
    for (const consumer of ['planned', 'other']) {
      await db.insert(eventDeliveriesTable).values(
        events.map((event) => ({
          consumer,
          eventSequence: event.sequence,
          aggregate: `article:${String(event.id)}`,
        })),
      );
    }
    // sql: the planner's statistics of the backlog, as autovacuum would gather them.
    await db.execute(sql`analyze event_deliveries`);

    // The claim statement as the relay runs it, caught on its way to the server.
    const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
    try {
      const statements: { sql: string; params: unknown[] }[] = [];
      const logged = drizzle({
        client: pool,
        logger: { logQuery: (query, params) => statements.push({ sql: query, params }) },
      });
      expect(await createDeliveryStore(logged).claim(['planned'], 50, 60_000)).toHaveLength(50);
      const [claim] = statements;
      const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `explain (format json) ${claim?.sql ?? ''}`,
        claim?.params,
      );
      const plan = nodes(rows[0]?.['QUERY PLAN'][0].Plan ?? { 'Node Type': 'none' });
      const probes = plan.filter((node) => node.Alias === 'ahead');
      expect(probes).toEqual([
        expect.objectContaining({
          'Node Type': expect.stringMatching(/^Index (Only )?Scan$/),
          'Index Name': 'event_deliveries_line_idx',
        }),
      ]);
      // Each candidate probed in turn, stopping at the first delivery ahead of it.
      expect(plan).toContainEqual(
        expect.objectContaining({ 'Node Type': 'Nested Loop', 'Join Type': 'Anti' }),
      );
      // The claimed rows are then updated, and their events read, by primary key: nothing in the
      // claim reads a whole table.
      expect(plan.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('lets relays drain re-driven letters at once: one in flight per aggregate, each last', async () => {
    const { db } = postgres.handle;
    const aggregates = 10;
    const perAggregate = 4;
    await recordInterleaved(db, 'lines', { aggregates, perAggregate, firstId: 6_001 });
    let refused = true;
    const inFlight = new Map<number, number>();
    let mostInFlight = 0;
    const order = new Map<number, number[]>();
    const consumer: EventConsumer = {
      name: 'lines',
      accepts: () => true,
      async deliver(committed) {
        if (refused) throw new Error('lines refused');
        const aggregate = committed.event.aggregate.id;
        const { userId } = committed.event.payload as { userId: number };
        inFlight.set(aggregate, (inFlight.get(aggregate) ?? 0) + 1);
        mostInFlight = Math.max(mostInFlight, ...inFlight.values());
        // Long enough for the other relays to claim meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight.set(aggregate, (inFlight.get(aggregate) ?? 0) - 1);
        order.set(aggregate, [...(order.get(aggregate) ?? []), userId]);
      },
    };
    // Each aggregate's first event dies at its only try; all are re-driven at once, while the
    // later events are still owed.
    const first = testRelay(db, [consumer], { maxAttempts: 1 });
    expect(await first.relay.runOnce()).toBe(aggregates);
    expect(first.outcomes).toEqual(Array.from({ length: aggregates }, () => 'dead'));
    refused = false;
    expect(await redriveDeadLetters(db, 'all')).toBe(aggregates);

    const relays = [1, 2, 3].map(() => testRelay(db, [consumer], { batchSize: 4 }).relay);
    await Promise.all(relays.map((relay) => drain(relay)));

    expect(mostInFlight).toBe(1);
    for (let aggregate = 1; aggregate <= aggregates; aggregate++) {
      expect(order.get(6_000 + aggregate), `article ${String(aggregate)}`).toEqual([1, 2, 3, 0]);
    }
    expect(await listDeadLetters(db, 10)).toEqual([]);
  });
});
