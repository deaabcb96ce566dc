import { asc, eq, gt } from 'drizzle-orm';
import type { Database } from '../database.js';
import { auditChainHeadTable, auditEventsTable } from '../schema/audit.js';
import { transaction } from '../transaction.js';
import { chainHash, GENESIS_HASH } from './chain.js';

export type ChainVerdict =
  | { readonly intact: true; readonly entries: number }
  | {
      readonly intact: false;
      readonly entries: number;
      /** The first entry that does not follow from the ones before (or the head, for a lost tail). */
      readonly sequence: number;
      readonly problem: string;
    };

const BATCH = 1_000;

/**
 * Walks the whole audit stream, from its lowest sequence number whatever it is, and checks that
 * each entry follows from the one before: the next sequence number (the first is 1), the previous
 * entry's hash, its own hash over its fields; then that the chain's head names the last entry
 * (entries removed from the end, or added past it without moving it). An entry numbered below 1
 * is out of place: nothing appends it, and the standings rebuilt from the stream would read it
 * like any other.
 *
 * The walk and the head are read in one snapshot (a read-only REPEATABLE READ transaction): on a
 * live stream an entry appended between the walk's last read and the head's would otherwise move
 * the head past the walk, and an intact chain would be reported broken at that entry.
 */
export function verifyAuditChain(database: Database): Promise<ChainVerdict> {
  return transaction(database, walk, {
    isolationLevel: 'repeatable read',
    accessMode: 'read only',
  });
}

async function walk(database: Database): Promise<ChainVerdict> {
  let expectedSequence = 1;
  let previousHash = GENESIS_HASH;
  for (;;) {
    const rows = await database
      .select()
      .from(auditEventsTable)
      .where(
        expectedSequence === 1 ? undefined : gt(auditEventsTable.sequence, expectedSequence - 1),
      )
      .orderBy(asc(auditEventsTable.sequence))
      .limit(BATCH);
    for (const row of rows) {
      const entries = expectedSequence - 1;
      const broken = (problem: string, sequence = expectedSequence): ChainVerdict => ({
        intact: false,
        entries,
        sequence,
        problem,
      });
      if (row.sequence < 1) return broken('out of place: sequences start at 1', row.sequence);
      if (row.sequence !== expectedSequence)
        return broken(`missing; next is ${String(row.sequence)}`);
      if (row.previousHash !== previousHash) return broken('previous hash does not match');
      if (chainHash(previousHash, row) !== row.hash)
        return broken('content does not match its hash');
      previousHash = row.hash;
      expectedSequence += 1;
    }
    if (rows.length < BATCH) break;
  }
  const entries = expectedSequence - 1;
  const [head] = await database
    .select()
    .from(auditChainHeadTable)
    .where(eq(auditChainHeadTable.id, 1));
  const named = head?.sequence ?? 0;
  if (named > entries) {
    return {
      intact: false,
      entries,
      sequence: entries + 1,
      problem: `the head names entry ${String(named)}: entries were removed from the end`,
    };
  }
  if (named < entries) {
    // Chained well, but past the head: written around the append that moves it.
    return {
      intact: false,
      entries: named,
      sequence: named + 1,
      problem: `the head names entry ${String(named)}: the entries after it were added without it`,
    };
  }
  if (head?.hash !== previousHash) {
    return {
      intact: false,
      entries,
      sequence: entries,
      problem: `the head does not hold the hash of entry ${String(entries)}`,
    };
  }
  return { intact: true, entries };
}
